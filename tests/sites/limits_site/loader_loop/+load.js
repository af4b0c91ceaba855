module.exports = function () { for (;;) {} };

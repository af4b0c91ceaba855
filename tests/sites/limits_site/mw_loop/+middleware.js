module.exports = (api, next) => { while (true) {} };

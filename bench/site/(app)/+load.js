// The same 100 items the bare Tornado app builds: names that all need escaping.
module.exports = function () {
  const items = [];
  for (let i = 0; i < 100; i++) {
    items.push({ id: i, name: 'Item <' + i + '> & "friends"', note: "it's #" + i, price: (i * 1.25).toFixed(2) });
  }
  return { items };
};

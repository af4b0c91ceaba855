module.exports = (api) => {
  const r = new Record($app.findCollectionByNameOrId('notes'), { title: 'from-loader' });
  $app.save(r);
  return { title: r.get('title') };
};

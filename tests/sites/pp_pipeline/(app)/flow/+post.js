module.exports = ({ formData, body }) => {
  require('trail').push('post')
  return { method: 'post', field: formData().x, bodyX: body().x, legacy: formData.x }
}

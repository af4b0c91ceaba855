// a module that fails when it is loaded
const ok = 1

throw new TypeError('module boom')

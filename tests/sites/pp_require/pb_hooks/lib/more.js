exports.more = 'more'

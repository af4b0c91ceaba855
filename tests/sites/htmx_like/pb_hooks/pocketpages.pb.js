require('pocketpages')

"""The HTTP layer: the request and response, the pipeline, guards and Tornado glue (imports render, never serve)."""

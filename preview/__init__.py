"""The local stand-in for production: `python build.py serve`.

The one place that composes the others: it builds the site (`sitegen`), serves it as the CDN
does (`http_server`), runs the real form function (`functions`) on events like API Gateway's
(`lambda_events`), against a moto server holding the stack from `infra/template.yaml`
(`local_aws`, with moto's fixes in `moto_compat`), and rebuilds on change (`watch`). Nothing
outside it, but `build.py` and the tests, imports it.
"""

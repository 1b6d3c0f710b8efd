"""What the analytics vendors' scripts keep in a visitor's browser: the one list of their names.

A visitor who declines after allowing must be left as they were before "Allow", so
`site/assets/consent.js` removes, on that "Decline" and on every page load while the visitor
declines, each cookie (on the host and on its parent domains, path `/`, where the vendors put
them) and each localStorage key whose name matches a pattern here. A pattern is a name, or a
prefix ending in `*` where the vendor's names carry ids or vary. Only the vendors whose ids
`site.toml` sets are cleared: a cookie of a service the site does not run is not ours to remove.
"""

from __future__ import annotations

from dataclasses import dataclass

YANDEX_METRICA_COOKIES = "https://yandex.ru/support/metrica/general/cookie-usage.html"
GA4_COOKIES = "https://support.google.com/analytics/answer/11397207"
GTAG_COOKIES = "https://developers.google.com/analytics/resources/concepts/gaConceptsCookies"
GOOGLE_ADS_COOKIES = "https://support.google.com/analytics/answer/7519794"


@dataclass(frozen=True)
class Trace:
    """A name (or `prefix*`) a vendor's script stores under, and the page that documents it."""

    pattern: str
    source: str


YANDEX_METRICA_TRACES = (
    # Cookies _ym_uid, _ym_d, _ym_isad, _ym_visorc, _ym<counter>_lsid ...; localStorage keys
    # _ym_uid, _ym_retryReqs, _ym<counter>_lsid ...: every name Metrica keeps on the site's
    # domain begins with _ym (its cookies on yandex.ru are out of the site's reach).
    Trace("_ym*", YANDEX_METRICA_COOKIES),
)
GOOGLE_ANALYTICS_TRACES = (
    Trace("_ga", GA4_COOKIES),
    Trace("_ga_*", GA4_COOKIES),  # _ga_<container-id>: the measurement id without "G-"
    Trace("_gid", GTAG_COOKIES),
    Trace("_gat*", GTAG_COOKIES),  # _gat, and gtag.js's _gat_gtag_<property-id>
    Trace("AMP_TOKEN", GTAG_COOKIES),
    Trace("_gac_*", GTAG_COOKIES),  # _gac_<property-id>, _gac_gb_<container-id>
    Trace("_gcl_*", GOOGLE_ADS_COOKIES),  # _gcl_au, _gcl_aw ... once linked to Google Ads
)


def traces(yandex_metrica_id: str, google_analytics_id: str) -> tuple[Trace, ...]:
    """The traces of the vendors whose ids are set."""
    return (YANDEX_METRICA_TRACES if yandex_metrica_id else ()) + (
        GOOGLE_ANALYTICS_TRACES if google_analytics_id else ()
    )

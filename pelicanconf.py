"""Settings of the demo network. Every Vouch setting has a default: see the README."""

from vouch_site.guard import refuse_plain_pelican

refuse_plain_pelican()  # build with `invoke build`: plain `pelican` would skip Vouch's checks

SITENAME = "South Hams Trusted Traders"
SITEURL = "https://trusted.southhams.example"
SITE_DESCRIPTION = "Local businesses our members have used, checked and personally vouch for."
TIMEZONE = "Europe/London"
DEFAULT_LANG = "en-GB"
PHONE_REGION = "GB"
VETTING_VALID_DAYS = 365
NEWSLETTER_FROM = "South Hams Trusted Traders <news@trusted.southhams.example>"
INTRODUCTIONS_EMAIL = "Helen at South Hams Trusted Traders <connect@trusted.southhams.example>"

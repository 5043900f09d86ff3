"""Settings of the demo network. Every Vouch setting has a default: see the README."""

SITENAME = "South Hams Trusted Traders"
SITEURL = "https://trusted.southhams.example"
SITE_DESCRIPTION = "Local businesses our members have used, checked and personally vouch for."
TIMEZONE = "Europe/London"
DEFAULT_LANG = "en-GB"
PHONE_REGION = "GB"
VETTING_VALID_DAYS = 365

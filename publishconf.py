"""Settings for the deployed site: the demo's, plus anything only production needs."""

import os
import sys

from vouch_site.guard import refuse_plain_pelican

refuse_plain_pelican()  # build with `invoke build`: plain `pelican` would skip Vouch's checks

sys.path.append(os.path.dirname(os.path.abspath(__file__)))
from pelicanconf import *  # noqa: E402, F403

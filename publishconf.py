"""Settings for the deployed site: the demo's, plus anything only production needs."""

from pelicanconf import *  # noqa: F403

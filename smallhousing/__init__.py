"""smallhousing: resident complaints handled the way the Housing Ombudsman's Code requires."""

__version__ = "0.1.0"

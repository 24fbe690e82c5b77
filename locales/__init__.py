"""The texts: gettext catalogues per locale (LC_MESSAGES/hotline.po) and message templates."""

"""Page-wide styles: what Streamlit's widgets cannot be told directly."""

from __future__ import annotations

import streamlit as st

DETAILS_CLOSED_CLASS = "atlas-panel-closed"
DETAILS_CLOSED_MARK = f'<span class="{DETAILS_CLOSED_CLASS}" hidden></span>'  # in the details column when empty

# - The map takes the full width until a record is opened; the details column (marked by DETAILS_CLOSED_MARK
#   inside it) then opens beside it. The same elements stay in place, so the map is not remounted.
# - On a phone the tabs wrap instead of scrolling out of sight, and the sidebar's button says what it opens.
# - Captions are darker than Streamlit's faded grey, which reaches only 2.8-3.8:1 on the sidebar (WCAG asks 4.5:1).
PAGE_CSS = f"""
<style>
div[data-testid="stHorizontalBlock"]:has(.{DETAILS_CLOSED_CLASS}) > div[data-testid="stColumn"] {{
  flex: 1 1 100% !important; width: 100% !important; max-width: 100% !important;
}}
div[data-testid="stHorizontalBlock"] > div[data-testid="stColumn"]:has(.{DETAILS_CLOSED_CLASS}) {{ display: none; }}
div[data-baseweb="tab-list"] {{ flex-wrap: wrap; row-gap: 4px; }}
[data-testid="stExpandSidebarButton"]::after {{ content: "Filters"; margin-left: 6px; font-size: 15px; }}
[data-testid="stExpandSidebarButton"] {{ width: auto; padding: 0 10px; }}
[data-testid="stCaptionContainer"] {{ color: #555 !important; opacity: 1 !important; }}
</style>
"""


def page_style() -> None:
    st.html(PAGE_CSS)

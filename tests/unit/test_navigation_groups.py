"""The console menu: each group once (its key names the menu's element ids), each page once."""
from store_app.web.navigation import CONSOLE_NAV, NavGroup


def test_every_console_group_and_page_appears_once():
    for role, entries in CONSOLE_NAV.items():
        keys = [entry.key for entry in entries if isinstance(entry, NavGroup)]
        assert len(keys) == len(set(keys)), (role, keys)
        endpoints = [item.endpoint for entry in entries
                     for item in (entry.items if isinstance(entry, NavGroup) else (entry,))]
        assert len(endpoints) == len(set(endpoints)), role

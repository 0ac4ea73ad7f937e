"""Signing in as each role, and being kept out of pages that are not yours."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in


@pytest.mark.parametrize(
    ("email", "home", "heading"),
    [
        ("dana@brightsmiles.example", "/client", "My tickets"),
        ("alex@agency.example", "/agent", "Agent console"),
        ("manager@agency.example", "/manager", "Board"),
    ],
)
def test_each_role_signs_in_and_lands_on_its_page(new_page, email, home, heading):
    page = new_page()
    sign_in(page, email)
    expect(page).to_have_url(re.compile(f"{home}/?$"))
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()


def test_a_client_who_opens_the_manager_board_is_turned_away(new_page):
    page = new_page()
    sign_in(page, "dana@brightsmiles.example")
    expect(page).to_have_url(re.compile("/client/?$"))
    page.goto("/manager")
    expect(page).to_have_url(re.compile("/client/?$"))
    expect(page.get_by_role("heading", name="Board", exact=True)).to_have_count(0)


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(new_page):
    page = new_page()
    page.goto("/agent")
    expect(page).to_have_url(re.compile("/login/?$"))


def test_a_wrong_password_shows_an_error_and_keeps_the_email(new_page):
    page = new_page()
    sign_in(page, "alex@agency.example", password="not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password")
    expect(page.get_by_label("Email")).to_have_value("alex@agency.example")
    expect(page).to_have_url(re.compile(r"/login/?\?error=wrong"))
    # The password is never sent back to the page.
    expect(page.get_by_label("Password")).to_have_value("")


def test_sign_out_ends_the_session(new_page):
    page = new_page()
    sign_in(page, "manager@agency.example")
    expect(page.get_by_role("heading", name="Board", exact=True)).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile("/login/?$"))
    page.goto("/manager")
    expect(page).to_have_url(re.compile("/login/?$"))

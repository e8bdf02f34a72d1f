"""Each role lands on its own start page and sees its own links in the header."""

from __future__ import annotations

import re

import pytest

from portal.extensions import db
from tests.factories import DEFAULT_PASSWORD, EnterpriseFactory, UserFactory, enterprise_user, official

from .conftest import login

EXPECTED = {
    # role: (start page, header links shown, header links not shown)
    "enterprise": (
        "/enterprise",
        {"/enterprise", "/assessments", "/enterprise/colleagues"},
        {"/admin/", "/officials/", "/audit/"},
    ),
    "official": (
        "/officials/",
        {"/officials/", "/approvals", "/accounts"},
        {"/admin/", "/enterprise", "/audit/"},
    ),
    "admin": ("/admin/", {"/admin/", "/officials/", "/approvals", "/accounts"}, {"/enterprise", "/audit/"}),
    "auditor": ("/audit/", {"/audit/"}, {"/admin/", "/officials/", "/approvals", "/enterprise"}),
}


def _user(role: str) -> str:
    if role == "enterprise":
        return enterprise_user().username
    if role == "official":
        return official("华容区").username
    return UserFactory(role=role).username


def _header_links(html: str) -> set[str]:
    nav = re.search(r'<nav class="header-nav".*?</nav>', html, re.S).group(0)
    return set(re.findall(r'href="([^"?]+)"', nav))


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_starts_on_its_page_with_its_header_links(app, client, role):
    with app.app_context():
        username = _user(role)
        db.session.commit()
    login(client, username, DEFAULT_PASSWORD)
    start, shown, hidden = EXPECTED[role]
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith(start)
    page = client.get(start)
    assert page.status_code == 200
    links = _header_links(page.get_data(as_text=True))
    assert shown <= links, shown - links
    assert not hidden & links, hidden & links
    for link in shown:
        assert client.get(link).status_code == 200, link


def test_enterprise_home_links_to_colleagues_and_officials_page_to_the_users(app, client):
    with app.app_context():
        enterprise = EnterpriseFactory(district="华容区")
        member = enterprise_user(enterprise)
        reviewer = official("华容区")
        db.session.commit()
        member_name, reviewer_name, enterprise_id = member.username, reviewer.username, enterprise.id
    login(client, member_name, DEFAULT_PASSWORD)
    assert 'href="/enterprise/colleagues"' in client.get("/enterprise").get_data(as_text=True)
    client.post("/logout")
    login(client, reviewer_name, DEFAULT_PASSWORD)
    page = client.get(f"/officials/enterprises/{enterprise_id}").get_data(as_text=True)
    assert f'href="/enterprises/{enterprise_id}/members"' in page
    assert member_name in client.get(f"/enterprises/{enterprise_id}/members").get_data(as_text=True)


def test_officials_pages_are_styled_by_a_file_the_csp_allows(app, client):
    with app.app_context():
        username = official("华容区").username
        db.session.commit()
    login(client, username, DEFAULT_PASSWORD)
    for url in ("/officials/", "/officials/enterprises"):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert "<style" not in page, url  # blocked by "style-src 'self'"
        assert "/static/css/officials.css" in page, url
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert b".off-card" in client.get("/static/css/officials.css").data

"""The public status page (issue 15): HTML pages, Atom/RSS feeds and Statuspage-shaped JSON, served
from the same WSGI server as Slack, exported as static files, and mirrored to Atlassian Statuspage."""

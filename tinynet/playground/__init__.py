"""``tinynet playground``: watch a network and its optimizers learn, live, in the browser.

``session.py`` trains (tinynet's own classes, several optimizers side by side from the same
initial weights and batches); ``server.py`` serves one page and a small JSON API on
127.0.0.1 only; ``static/`` holds the page (plain HTML, JS and CSS: no CDN, no build step).
"""

"""The page ``gradtui serve web`` sends a browser: every byte of it comes from the lab server.

textual-serve's own page loads its font from a web font service; in a classroom without internet
the page then waits on that request and falls back to another font. This page asks for nothing
outside the lab: the terminal script and its stylesheet, and the Roboto Mono font that
textual-serve ships, are all served under ``/static`` by the lab itself, and the icon is inline.

It keeps the contract of textual-serve's ``textual.js``: a ``.textual-terminal`` element carrying
the websocket URL and font size, a ``#start`` button it shows for ``?delay``, and the body classes
it sets (``-first-byte`` once the app draws, ``-closed`` when the session ends).
"""

from __future__ import annotations

import jinja2

TEMPLATE_NAME = "app_index.html"  # the name textual-serve's index handler renders

PAGE = """<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>{{ application.name }}</title>
    <link rel="icon" href="data:,">
    <link rel="preload" href="{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf"
          as="font" type="font/ttf" crossorigin>
    <link rel="stylesheet" href="{{ config.static.url }}css/xterm.css">
    <style>
      @font-face {
        font-family: "Roboto Mono";
        src: url("{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf")
             format("truetype");
        font-weight: 100 700;
        font-style: normal;
      }
      @font-face {
        font-family: "Roboto Mono";
        src: url("{{ config.static.url }}fonts/RobotoMono-Italic-VariableFont_wght.ttf")
             format("truetype");
        font-weight: 100 700;
        font-style: italic;
      }
      body { margin: 0; background: #0c181f; }
      .dialog {
        position: absolute; inset: 0; z-index: 10;
        display: flex; align-items: center; justify-content: center;
      }
      .box {
        padding: 32px 48px; text-align: center;
        font: 16px "Roboto Mono", monospace; color: rgba(255, 255, 255, 0.95);
        background: #12232d;
      }
      button {
        margin: 16px auto 0; padding: 12px 32px; border: none; cursor: pointer;
        font: inherit; color: inherit; background: #5e0ba7;
      }
      button:hover { background: #ac5af4; }
      body.-first-byte .starting, body.-closed .starting { display: none; }
      #start { display: none; }
      #start.-delay { display: block; }
      .ended { display: none; }
      body.-closed .ended { display: flex; }
      .textual-terminal { opacity: 0; transition: opacity 0.3s ease-out; }
      body.-first-byte .textual-terminal { opacity: 1; }
    </style>
    <script src="{{ config.static.url }}js/textual.js"></script>
    <script>
      function restart() {
        const url = new URL(window.location.href);
        url.searchParams.delete("delay");
        window.location.href = url.pathname + url.search;
      }
    </script>
  </head>
  <body>
    <div class="dialog starting">
      <div class="box">
        <div>{{ application.name }}: starting…</div>
        <button type="button" id="start" onclick="restart()">Start</button>
      </div>
    </div>
    <div class="dialog ended">
      <div class="box">
        <div>Session ended.</div>
        <button type="button" onclick="restart()">Restart</button>
      </div>
    </div>
    <div id="terminal" class="textual-terminal"
         data-session-websocket-url="{{ app_websocket_url }}"
         data-font-size="{{ font_size }}"></div>
  </body>
</html>
"""


def page_loader() -> jinja2.BaseLoader:
    """A template loader holding only this page, under the name textual-serve renders."""
    return jinja2.DictLoader({TEMPLATE_NAME: PAGE})

// Kontora's one WebSocket per tab: live counters and notifications. Reconnects with back-off.
(function () {
  "use strict";

  function socketUrl() {
    var configured = document.body.dataset.wsUrl;
    if (configured) return configured;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + location.host + "/ws/";
  }

  function setCounter(name, value) {
    document.querySelectorAll('[data-counter="' + name + '"]').forEach(function (el) {
      el.textContent = value;
      el.hidden = !value;
    });
  }

  function toast(message, link) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var item = document.createElement("a");
    item.className = "toast";
    item.textContent = message;
    if (link && link.charAt(0) === "/" && link.charAt(1) !== "/") item.href = link;  // same-site paths only
    box.appendChild(item);
    setTimeout(function () { item.remove(); }, 8000);
  }

  var handlers = {
    notifications: function (data) {
      setCounter("notifications", data.unread);
      if (data.notification) toast(data.notification.message, data.notification.link);
    },
    counters: function (data) {
      Object.keys(data).forEach(function (name) { setCounter(name, data[name]); });
    },
  };

  var delay = 1000;
  function connect() {
    var socket = new WebSocket(socketUrl());
    socket.onopen = function () { delay = 1000; document.body.dataset.live = "1"; };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      var handler = handlers[message.kind];
      if (handler) handler(message.data);
      document.dispatchEvent(new CustomEvent("kontora:" + message.kind, { detail: message.data }));
    };
    socket.onclose = function (event) {
      document.body.dataset.live = "0";
      if (event.code === 4401) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  // The CSRF token the page carries for HTMX (body hx-headers), for scripts that post with fetch().
  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  window.Kontora = { handlers: handlers, toast: toast, csrfToken: csrfToken };
  if (document.body.dataset.wsUrl !== undefined) connect();
})();

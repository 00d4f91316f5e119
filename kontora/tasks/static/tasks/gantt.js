// The Gantt chart: frappe-gantt draws the bars; a drag is sent to the server, which moves the task and pushes its
// dependents, and every moved bar is redrawn from the answer. "Link tasks" mode joins two bars with a typed link.
(function () {
  "use strict";

  var root = document.getElementById("gantt-page");
  if (!root || typeof Gantt === "undefined") return;
  var texts = root.querySelector("[data-texts]").dataset;
  var chartBox = document.getElementById("gantt-chart");
  var hint = root.querySelector("[data-hint]");
  var linkButton = root.querySelector("[data-link-mode]");
  var dialog = root.querySelector("[data-link-dialog]");
  var gantt = null;
  var rows = {};      // id → the server's row for the bar
  var links = [];     // the links among the bars
  var pending = {};   // id → {start, end} of a drag not yet sent
  var linking = null; // null, or {first: id|null} while "Link tasks" is on

  function escapeHtml(text) {
    var box = document.createElement("div");
    box.textContent = text == null ? "" : String(text);
    return box.innerHTML;
  }

  function say(message) {
    if (window.Kontora && message) window.Kontora.toast(message);
  }

  function pad(number) { return (number < 10 ? "0" : "") + number; }

  function day(date) {
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate());
  }

  function parseDay(text) {
    var parts = text.split("-").map(Number);
    return new Date(parts[0], parts[1] - 1, parts[2]);
  }

  function post(url, fields) {
    var body = new URLSearchParams(fields);
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": root.dataset.csrf, "Accept": "application/json" },
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.error || "");
        return data;
      });
    });
  }

  function bar(row) {
    return {
      id: row.id, name: escapeHtml(row.name), start: row.start, end: row.end, progress: row.progress,
      dependencies: row.dependencies, custom_class: row.custom_class,
    };
  }

  function typeOf(predecessor, successor) {
    return links.find(function (item) { return item.predecessor === predecessor && item.successor === successor; });
  }

  function popup(ctx) {
    var row = rows[ctx.task.id];
    ctx.set_title(escapeHtml(row.name));
    ctx.set_subtitle(escapeHtml(row.status + " · " + texts.responsible + ": " + row.responsible));
    var details = escapeHtml(row.starts + " — " + row.ends);
    if (row.deadline) details += "<br>" + escapeHtml(texts.deadline + ": " + row.deadline);
    var before = links.filter(function (item) { return item.successor === row.id; });
    if (before.length) {
      details += "<br>" + escapeHtml(texts.depends + ": " + before.map(function (item) {
        return item.predecessor_title + " (" + item.short + ")";
      }).join(", "));
    }
    details += '<br><a href="' + escapeHtml(row.url) + '">' + escapeHtml(texts.open) + "</a>";
    ctx.set_details(details);
  }

  // Arrows get their link type as a class and a tooltip, after every drawing of the chart.
  function decorate() {
    (gantt.arrows || []).forEach(function (arrow) {
      var item = typeOf(arrow.from_task.task.id, arrow.to_task.task.id);
      if (!item || arrow.element.querySelector("title")) return;
      arrow.element.classList.add("gantt-link", "gantt-link-" + item.short.toLowerCase());
      var title = document.createElementNS("http://www.w3.org/2000/svg", "title");
      title.textContent = item.predecessor_title + " → " + item.successor_title + ": " + item.label;
      arrow.element.appendChild(title);
    });
  }

  function applyRow(row) {
    var known = rows[row.id];
    if (!known || !gantt.get_task(row.id)) return;
    row.dependencies = known.dependencies;
    rows[row.id] = row;
    var end = parseDay(row.end);
    end.setDate(end.getDate() + 1);
    gantt.update_task(row.id, { start: row.start, end: row.end, _start: parseDay(row.start), _end: end });
    var moved = gantt.get_bar(row.id);
    moved.update_arrow_position();
    decorate();
  }

  function send(id, change) {
    var original = rows[id];
    post(root.dataset.moveUrl.replace("/0/", "/" + id + "/"), change).then(function (data) {
      data.moved.forEach(applyRow);
      say(data.message);
    }).catch(function (error) {
      applyRow(original);
      say(error.message || texts.failed);
    });
  }

  function flush() {
    var ids = Object.keys(pending);
    var changes = pending;
    pending = {};
    if (ids.length) gantt.hide_popup();  // frappe opens the popup on the mouseup that ends a drag
    ids.forEach(function (id) { send(id, changes[id]); });
  }

  function renderLinks() {
    var list = root.querySelector("[data-links]");
    list.textContent = "";
    root.querySelector("[data-no-links]").hidden = links.length > 0;
    links.forEach(function (item) {
      var entry = document.createElement("li");
      var kind = document.createElement("b");
      kind.className = "gantt-type gantt-type-" + item.short.toLowerCase();
      kind.textContent = item.short;
      kind.title = item.label;
      var names = document.createElement("span");
      names.textContent = item.predecessor_title + " → " + item.successor_title;
      names.title = item.label;
      entry.append(kind, " ", names);
      if (item.removable) {
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "linklike";
        remove.textContent = texts.remove;
        remove.addEventListener("click", function () {
          post(root.dataset.unlinkUrl.replace("/0/", "/" + item.id + "/"), {}).then(load).catch(function (error) {
            say(error.message || texts.linkFailed);
          });
        });
        entry.append(" ", remove);
      }
      list.appendChild(entry);
    });
  }

  function draw(data) {
    rows = {};
    links = data.links;
    data.tasks.forEach(function (row) { rows[row.id] = row; });
    root.querySelector("[data-empty]").hidden = data.tasks.length > 0;
    renderLinks();
    var tasks = data.tasks.map(bar);
    if (gantt) {
      var scroll = gantt.$container.scrollLeft;
      gantt.refresh(tasks);
      gantt.$container.scrollLeft = scroll;
      return;
    }
    if (!tasks.length) return;
    gantt = new Gantt(chartBox, tasks, {
      view_modes: ["Day", "Week", "Month"],
      language: root.dataset.language,
      bar_height: 26,
      padding: 16,
      move_dependencies: false,
      readonly_progress: true,
      today_button: false,
      infinite_padding: false,
      scroll_to: "start",
      popup: popup,
      on_date_change: function (task, start, end) {
        pending[task.id] = { start: day(start), end: day(end) };
      },
    });
    var render = gantt.render.bind(gantt);
    gantt.render = function () { render(); decorate(); };
    decorate();
  }

  function load() {
    return fetch(root.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(draw);
  }

  function barId(event) {
    var wrapper = event.target.closest && event.target.closest(".bar-wrapper");
    return wrapper ? wrapper.getAttribute("data-id") : null;
  }

  function setLinking(on) {
    linking = on ? { first: null } : null;
    if (gantt) gantt.hide_popup();
    linkButton.setAttribute("aria-pressed", on ? "true" : "false");
    linkButton.classList.toggle("current", on);
    chartBox.classList.toggle("linking", on);
    hint.hidden = !on;
    hint.textContent = on ? hint.dataset.first : "";
    root.querySelectorAll(".bar-wrapper.chosen").forEach(function (el) { el.classList.remove("chosen"); });
  }

  function choose(id) {
    if (!linking.first) {
      linking.first = id;
      chartBox.querySelector('.bar-wrapper[data-id="' + id + '"]').classList.add("chosen");
      hint.textContent = hint.dataset.second;
      return;
    }
    if (id === linking.first) return;
    var first = linking.first;
    dialog.querySelector("[data-pair-first]").textContent = rows[first].name;
    dialog.querySelector("[data-pair-second]").textContent = rows[id].name;
    dialog.dataset.first = first;
    dialog.dataset.second = id;
    dialog.returnValue = "";
    dialog.showModal();
  }

  // Capture phase: link mode takes the clicks; read-only bars never start a drag.
  ["mousedown", "mouseup", "click"].forEach(function (name) {
    chartBox.addEventListener(name, function (event) {
      var id = barId(event);
      if (!id || !gantt) return;
      if (linking) {
        event.stopPropagation();
        event.preventDefault();
        if (name === "click") choose(id);
      } else if (name === "mousedown" && rows[id] && !rows[id].editable) {
        event.stopPropagation();
      }
    }, true);
  });
  document.addEventListener("mouseup", function () { setTimeout(flush, 0); });

  dialog.addEventListener("close", function () {
    var first = dialog.dataset.first;
    var second = dialog.dataset.second;
    setLinking(false);
    if (dialog.returnValue !== "link") return;
    var kind = dialog.querySelector("input[name=type]:checked").value;
    post(root.dataset.linkUrl, { predecessor: first, successor: second, type: kind }).then(load).catch(function (error) {
      say(error.message || texts.linkFailed);
    });
  });

  linkButton.addEventListener("click", function () { setLinking(!linking); });
  root.querySelectorAll("[data-mode]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (!gantt) return;
      gantt.change_view_mode(button.dataset.mode);
      root.querySelectorAll("[data-mode]").forEach(function (other) {
        other.classList.toggle("current", other === button);
      });
    });
  });
  root.querySelector("[data-today]").addEventListener("click", function () { if (gantt) gantt.scroll_current(); });

  load();
})();

// The task card: the running timer's clock, the @mention picker, and drag-and-drop of checklist items.
(function () {
  "use strict";

  function clock(seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return h + ":" + (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }

  document.addEventListener("alpine:init", function () {
    // a running timer: `seconds` elapsed when the page was rendered, then counted by the browser
    window.Alpine.data("taskTimer", function (seconds) {
      return {
        since: Date.now() - seconds * 1000,
        text: clock(seconds),
        handle: null,
        init: function () {
          var self = this;
          this.handle = setInterval(function () { self.text = clock(Math.floor((Date.now() - self.since) / 1000)); }, 1000);
        },
        destroy: function () { clearInterval(this.handle); },
      };
    });

    // type "@" and a few letters, pick a person: [USER=<id>]Full Name[/USER] goes into the text
    window.Alpine.data("taskMentions", function () {
      var source = document.getElementById("task-people");
      var people = source ? JSON.parse(source.textContent) : [];
      return {
        open: false,
        matches: [],
        start: -1,
        look: function () {
          var area = this.$refs.text, before = area.value.slice(0, area.selectionStart);
          var at = before.lastIndexOf("@");
          if (at < 0 || (at > 0 && /\S/.test(before.charAt(at - 1))) || /\s{2}|\n/.test(before.slice(at))) {
            this.close();
            return;
          }
          var query = before.slice(at + 1).toLowerCase();
          this.start = at;
          this.matches = people.filter(function (person) { return person.name.toLowerCase().indexOf(query) >= 0; }).slice(0, 8);
          this.open = this.matches.length > 0;
        },
        choose: function (person) {
          var area = this.$refs.text, end = area.selectionStart;
          var code = "[USER=" + person.id + "]" + person.name + "[/USER] ";
          area.value = area.value.slice(0, this.start) + code + area.value.slice(end);
          var caret = this.start + code.length;
          area.focus();
          area.setSelectionRange(caret, caret);
          this.close();
        },
        close: function () { this.open = false; this.matches = []; this.start = -1; },
      };
    });
  });

  // checklist: drag items within and between checklists; the server renumbers and sends the block back
  function sortable(root) {
    if (!window.Sortable || !window.htmx) return;
    root.querySelectorAll("#checklist [data-sort=items]").forEach(function (list) {
      window.Sortable.create(list, {
        group: "checklist-items",
        handle: ".drag",
        animation: 150,
        onEnd: function (event) {
          var section = document.getElementById("checklist");
          window.htmx.ajax("POST", section.dataset.url, {
            source: section, target: "#checklist", swap: "outerHTML",
            values: { op: "move", item: event.item.dataset.id, group: event.to.dataset.group, position: event.newIndex },
          });
        },
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (window.htmx) window.htmx.onLoad(sortable);
  });
})();

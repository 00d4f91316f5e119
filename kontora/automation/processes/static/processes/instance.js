// The instance page's diagram: bpmn-js Viewer, with where the instance waits now and where it has been marked.
(function () {
  "use strict";

  async function show() {
    const container = document.getElementById("process-diagram");
    const source = document.getElementById("process-diagram-data");
    if (!container || !source || typeof window.BpmnJS === "undefined") return;
    const diagram = JSON.parse(source.textContent);
    const viewer = new window.BpmnJS({ container: container });
    try {
      await viewer.importXML(diagram.xml);
    } catch (error) {
      container.textContent = container.dataset.error;
      return;
    }
    const canvas = viewer.get("canvas");
    const registry = viewer.get("elementRegistry");
    const mark = (ids, marker) => {
      for (const id of ids) {
        if (registry.get(id)) canvas.addMarker(id, marker);
      }
    };
    mark(diagram.passed, "process-passed");
    mark(diagram.current, "process-current");
    canvas.zoom("fit-viewport", "auto");
    const box = canvas.viewbox();  // a margin round the diagram: fitting alone puts its top edge on the frame's
    canvas.zoom(box.scale * 0.92, { x: box.x + box.width / 2, y: box.y + box.height / 2 });
    container.dataset.ready = "1";
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", show);
  } else {
    show();
  }
})();

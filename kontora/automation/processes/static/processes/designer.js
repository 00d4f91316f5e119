// The process designer: bpmn-js draws the diagram; the selected element's settings are edited in a form the server
// renders into #element-panel; an applied form hands back what to write into the diagram, which is written here
// through bpmn-js's moddle (as SpiffWorkflow extension elements). Saving puts the diagram's XML into the settings
// form. The modeler is window.kontoraModeler.
(function () {
  "use strict";

  // The `spiffworkflow:` elements Kontora's processes read (moddle descriptor of our own).
  var SPIFFWORKFLOW = {
    name: "SpiffWorkflow",
    uri: "http://spiffworkflow.org/bpmn/schema/1.0/core",
    prefix: "spiffworkflow",
    xml: { tagAlias: "lowerCase" },
    associations: [],
    types: [
      { name: "Properties", superClass: ["Element"], properties: [{ name: "properties", type: "Property", isMany: true }] },
      { name: "Property", superClass: ["Element"], properties: [
        { name: "name", isAttr: true, type: "String" }, { name: "value", isAttr: true, type: "String" },
      ] },
      { name: "ServiceTaskOperator", superClass: ["Element"], properties: [
        { name: "id", isAttr: true, type: "String" }, { name: "resultVariable", isAttr: true, type: "String" },
        { name: "parameterList", type: "Parameters" },
      ] },
      { name: "Parameters", superClass: ["Element"], properties: [{ name: "parameters", type: "Parameter", isMany: true }] },
      // Other SpiffWorkflow elements a diagram may carry, kept as they are when the diagram is saved.
      { name: "PreScript", superClass: ["Element"], properties: [{ name: "value", isBody: true, type: "String" }] },
      { name: "PostScript", superClass: ["Element"], properties: [{ name: "value", isBody: true, type: "String" }] },
      { name: "InstructionsForEndUser", superClass: ["Element"], properties: [
        { name: "value", isBody: true, type: "String" },
      ] },
      { name: "Parameter", superClass: ["Element"], properties: [
        { name: "id", isAttr: true, type: "String" }, { name: "type", isAttr: true, type: "String" },
        { name: "value", isAttr: true, type: "String" },
      ] },
    ],
  };
  var TIMER_KEYS = { duration: "timeDuration", date: "timeDate", cycle: "timeCycle" };

  function extensions(bo) {
    return (bo.extensionElements && bo.extensionElements.values) || [];
  }

  // The element's settings in the diagram's own terms, as the side form reads them.
  function valuesOf(element) {
    var bo = element.businessObject;
    var values = { element_id: bo.id, element_type: bo.$type, name: bo.name || "" };
    if (bo.$type === "bpmn:SequenceFlow") {
      var source = bo.sourceRef;
      values.source_type = source ? source.$type : "";
      values.condition = bo.conditionExpression ? bo.conditionExpression.body || "" : "";
      values.is_default = source && source.default === bo ? "1" : "";
    }
    var timer = (bo.eventDefinitions || []).find(function (d) { return d.$type === "bpmn:TimerEventDefinition"; });
    if (timer) {
      values.timer_type = "duration";
      Object.keys(TIMER_KEYS).forEach(function (type) {
        if (timer[TIMER_KEYS[type]]) {
          values.timer_type = type;
          values.timer_value = timer[TIMER_KEYS[type]].body || "";
        }
      });
    }
    extensions(bo).forEach(function (ext) {
      if (ext.$type === "spiffworkflow:Properties") {
        (ext.properties || []).forEach(function (p) { values["prop_" + p.name] = p.value || ""; });
      }
      if (ext.$type === "spiffworkflow:ServiceTaskOperator") {
        values.operator = ext.id || "";
        ((ext.parameterList && ext.parameterList.parameters) || []).forEach(function (p) {
          values["param." + p.id] = p.value || "";
        });
      }
    });
    var attrs = bo.$attrs || {};
    Object.keys(attrs).forEach(function (key) {  // Camunda Modeler's assignees, when no Kontora rule is set
      if (values.prop_assignee) return;
      if (/:assignee$/.test(key)) values.prop_assignee = "user:" + attrs[key];
      if (/:candidateUsers$/.test(key)) values.prop_assignee = "users:" + attrs[key];
    });
    if (bo.documentation && bo.documentation.length) values.description = bo.documentation[0].text || "";
    return values;
  }

  function replaceExtension(modeler, element, type, made) {
    var bo = element.businessObject;
    var values = extensions(bo).filter(function (v) { return v.$type !== type; });
    if (made) values.push(made);
    var ext = values.length ? modeler.get("moddle").create("bpmn:ExtensionElements", { values: values }) : undefined;
    values.forEach(function (v) { v.$parent = ext; });
    if (ext) ext.$parent = bo;
    modeler.get("modeling").updateProperties(element, { extensionElements: ext });
  }

  function expression(moddle, body) {
    return moddle.create("bpmn:FormalExpression", { body: body });
  }

  // Write an applied side form back into the diagram.
  function apply(modeler, data) {
    var element = modeler.get("elementRegistry").get(data.element_id);
    if (!element) return;
    var moddle = modeler.get("moddle");
    var modeling = modeler.get("modeling");
    var bo = element.businessObject;
    modeling.updateProperties(element, { name: data.name || undefined });
    if (data.properties) {
      var properties = Object.keys(data.properties).map(function (name) {
        return moddle.create("spiffworkflow:Property", { name: name, value: data.properties[name] });
      });
      var made = moddle.create("spiffworkflow:Properties", { properties: properties });
      properties.forEach(function (p) { p.$parent = made; });
      replaceExtension(modeler, element, "spiffworkflow:Properties", made);
      var docs = data.documentation ? [moddle.create("bpmn:Documentation", { text: data.documentation })] : [];
      modeling.updateProperties(element, { documentation: docs });
    }
    if (data.operator !== undefined) {
      var parameters = data.parameters.map(function (p) {
        return moddle.create("spiffworkflow:Parameter", { id: p.id, type: "str", value: p.value });
      });
      var list = moddle.create("spiffworkflow:Parameters", { parameters: parameters });
      parameters.forEach(function (p) { p.$parent = list; });
      var operator = data.operator
        ? moddle.create("spiffworkflow:ServiceTaskOperator", { id: data.operator, resultVariable: "", parameterList: list })
        : null;
      if (operator) list.$parent = operator;
      replaceExtension(modeler, element, "spiffworkflow:ServiceTaskOperator", operator);
    }
    if (data.condition !== undefined) {
      modeling.updateProperties(element, {
        conditionExpression: data.condition ? expression(moddle, data.condition) : undefined,
      });
      var source = element.source;
      if (source && data.default) modeling.updateProperties(source, { default: bo });
      else if (source && source.businessObject.default === bo) modeling.updateProperties(source, { default: undefined });
    }
    if (data.timer) {
      var timer = (bo.eventDefinitions || []).find(function (d) { return d.$type === "bpmn:TimerEventDefinition"; });
      if (timer) {
        var change = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
        change[TIMER_KEYS[data.timer.type]] = expression(moddle, data.timer.value);
        modeling.updateModdleProperties(element, timer, change);
      }
    }
  }

  function start() {
    var canvas = document.getElementById("designer-canvas");
    var panel = document.getElementById("element-panel");
    var form = document.getElementById("template-form");
    if (!canvas || !window.BpmnJS) return;
    var hint = panel.innerHTML;
    var modeler = new window.BpmnJS({ container: canvas, moddleExtensions: { spiffworkflow: SPIFFWORKFLOW } });
    window.kontoraModeler = modeler;
    var xml = JSON.parse(document.getElementById("designer-bpmn").textContent);
    var shown = modeler.importXML(xml).then(function () {
      var view = modeler.get("canvas");
      var box = view.viewbox();
      if (box.inner.width > box.outer.width || box.inner.height > box.outer.height) view.zoom("fit-viewport", "auto");
      return true;
    }).catch(function (error) {
      var box = document.getElementById("diagram-error");
      box.textContent = box.dataset.prefix + " " + (error.message || error);
      box.hidden = false;
      return false;
    });

    modeler.get("eventBus").on("selection.changed", function (event) {
      var selected = event.newSelection.length === 1 ? event.newSelection[0] : null;
      if (selected && selected.labelTarget) selected = selected.labelTarget;
      if (!selected || selected.type === "bpmn:Process" || selected.type === "bpmn:Collaboration") {
        panel.innerHTML = hint;
        return;
      }
      window.htmx.ajax("GET", panel.dataset.url, { target: "#element-panel", swap: "innerHTML", values: valuesOf(selected) });
    });

    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target !== panel) return;
      var applied = document.getElementById("element-apply");
      if (!applied) return;
      apply(modeler, JSON.parse(applied.textContent));
      applied.remove();
    });

    panel.addEventListener("click", function (event) {
      var preset = event.target.closest("[data-deadline]");
      if (!preset) return;
      var input = panel.querySelector("input[name=deadline]");
      if (input) input.value = preset.dataset.deadline;
    });

    form.addEventListener("submit", function (event) {
      if (form.dataset.ready) return;
      event.preventDefault();
      shown.then(function (ok) {
        return ok ? modeler.saveXML({ format: true }).then(function (result) {
          form.querySelector("input[name=bpmn]").value = result.xml;
        }) : null;
      }).then(function () {
        form.dataset.ready = "1";
        form.submit();
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

function (root, page) {
  // One stepper: every part of its drawings (a node, an edge, a plot's line) that changes keeps all
  // the looks it takes in some step as sibling <g>s; a step shows one of each. Everything lives in
  // this closure: several steppers on one page (a notebook) never share state. `page` adds the
  // document-wide keys and <body> data.
  "use strict";
  var data = JSON.parse(root.querySelector("script.gvnn-data").textContent);
  var steps = data.captions.length;
  var els = Array.prototype.slice.call(root.querySelectorAll("svg.gvnn-svg g.gvnn-el"));
  function part(name) { return root.querySelector('[data-gvnn="' + name + '"]'); }
  var caption = part("caption"), slider = part("slider"), counter = part("counter");
  var tip = part("tip"), speed = part("speed"), playButton = part("play"), scroller = part("scroll");
  var step = 0, timer = null, tipFor = null;

  function lines(box, texts) {
    box.textContent = "";
    texts.forEach(function (text, i) {
      var line = document.createElement("div");
      line.textContent = text;
      if (i === 0 && box === caption) line.className = "gvnn-counter";
      box.appendChild(line);
    });
  }

  // A part's children are its pieces (a shape, a text); each look shows some of them.
  function look(el, i, k) {
    var shown = data.pieces[i][data.els[i].v[k]], kids = el.children;
    for (var j = 0; j < kids.length; j++) kids[j].style.display = shown.indexOf(j) >= 0 ? "" : "none";
  }

  function show(k) {
    step = Math.max(0, Math.min(steps - 1, k));
    els.forEach(function (el, i) { look(el, i, step); });
    lines(caption, data.captions[step]);
    slider.value = String(step);
    slider.setAttribute("aria-valuetext", data.captions[step][0]);
    counter.textContent = data.counts[step];
    root.setAttribute("data-step", String(step));
    if (page) document.body.setAttribute("data-step", String(step));
    if (tipFor) showTip(tipFor);
    follow();
  }

  // On a narrow screen the drawing scrolls sideways at a readable size: keep the step's part in view.
  function follow() {
    var i = data.focus[step];
    if (i < 0 || !scroller || scroller.scrollWidth <= scroller.clientWidth + 1) return;
    var box = els[i].getBoundingClientRect(), frame = scroller.getBoundingClientRect();
    scroller.scrollLeft += box.left + box.width / 2 - (frame.left + frame.width / 2);
  }

  // -- playing --------------------------------------------------------------------------------
  function delay() { return data.ms / (parseFloat(speed.value) || 1); }
  function playing(on) {
    playButton.setAttribute("aria-pressed", on ? "true" : "false");
    playButton.setAttribute("aria-label", on ? "Pause" : "Play");
    playButton.title = on ? "Pause (Space)" : "Play (Space)";
    root.classList.toggle("gvnn-playing", on);
  }
  function stop() { clearTimeout(timer); timer = null; playing(false); }
  function tick() {
    show(step + 1);
    if (step >= steps - 1) stop(); else timer = setTimeout(tick, delay());
  }
  function play() {
    if (timer) { stop(); return; }
    if (step >= steps - 1) show(0);
    playing(true);
    timer = setTimeout(tick, delay());
  }
  function go(k) { stop(); show(k); }

  // -- tooltips: the focused or hovered node's or edge's texts, as far as this step reveals them --
  function showTip(el) {
    var i = els.indexOf(el), item = data.els[i];
    tipFor = el;
    lines(tip, item.tips[item.t[step]]);
    tip.hidden = false;
    var host = tip.offsetParent || root, frame = host.getBoundingClientRect();
    var box = el.getBoundingClientRect(), gap = 8;
    var left = box.left - frame.left + box.width / 2 - tip.offsetWidth / 2;
    left = Math.max(4, Math.min(left, frame.width - tip.offsetWidth - 4));
    var top = box.bottom - frame.top + gap;
    if (box.top - frame.top - tip.offsetHeight - gap >= 0 && top + tip.offsetHeight > frame.height) {
      top = box.top - frame.top - tip.offsetHeight - gap;
    }
    tip.style.left = left + "px";
    tip.style.top = top + "px";
  }
  function hideTip() { tipFor = null; tip.hidden = true; }

  els.forEach(function (el) {
    if (!el.hasAttribute("tabindex")) return;  // a drawing aid: nothing to explain
    el.addEventListener("mouseenter", function () { showTip(el); });
    el.addEventListener("mouseleave", function () { if (document.activeElement !== el) hideTip(); });
    el.addEventListener("focus", function () { showTip(el); });
    el.addEventListener("blur", hideTip);
  });

  // -- controls and keys ----------------------------------------------------------------------
  var actions = {
    first: function () { go(0); },
    prev: function () { go(step - 1); },
    play: play,
    next: function () { go(step + 1); },
    last: function () { go(steps - 1); }
  };
  Object.keys(actions).forEach(function (name) { part(name).addEventListener("click", actions[name]); });
  slider.addEventListener("input", function () { go(parseInt(slider.value, 10) || 0); });
  speed.addEventListener("change", function () {
    if (timer) { clearTimeout(timer); timer = setTimeout(tick, delay()); }
  });

  var keys = { ArrowRight: "next", ArrowLeft: "prev", " ": "play", Home: "first", End: "last" };
  function onKey(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "Escape") { hideTip(); return; }
    var target = event.target, tag = target && target.tagName;
    // The slider and the speed list handle their own keys; a focused button clicks on Space itself.
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || (target && target.isContentEditable)) return;
    if (tag === "BUTTON" && (event.key === " " || event.key === "Enter")) return;
    var action = keys[event.key];
    if (!action) return;
    event.preventDefault();
    event.stopPropagation();
    actions[action]();
  }
  (page ? document : root).addEventListener("keydown", onKey);

  // A graph's canvas also holds the caption Graphviz set below it; the page shows the caption as
  // text, so fit the view to the nodes and edges, measured over every look they take (nothing moves).
  // Plots come with their panel's view.
  function fit() {
    els.forEach(function (el) {
      for (var j = 0; j < el.children.length; j++) el.children[j].style.display = "";
    });
    var fitted = root.querySelectorAll("svg.gvnn-fit");
    var boxes = Array.prototype.map.call(fitted, function (svg) {
      return svg.querySelector("g.gvnn-graph").getBBox();
    });
    els.forEach(function (el, i) { look(el, i, step); });
    Array.prototype.forEach.call(fitted, function (svg, n) {
      var box = boxes[n], t = svg.querySelector("g.gvnn-graph").transform.baseVal.consolidate();
      var m = t ? t.matrix : { a: 1, d: 1, e: 0, f: 0 }, pad = 6;
      var width = box.width * Math.abs(m.a), height = box.height * Math.abs(m.d);
      if (width > 0 && height > 0) {
        var x = Math.min(m.a * box.x, m.a * (box.x + box.width)) + m.e;
        var y = Math.min(m.d * box.y, m.d * (box.y + box.height)) + m.f;
        svg.style.setProperty("--gvnn-min-width", Math.round(width * 0.6) + "px");
        svg.setAttribute("viewBox", [x - pad, y - pad, width + 2 * pad, height + 2 * pad]
          .map(function (v) { return v.toFixed(1); }).join(" "));
      }
    });
  }
  fit();
  show(parseInt(root.getAttribute("data-step"), 10) || 0);
  root.classList.add("gvnn-ready");
}

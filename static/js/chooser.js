// Progressive enhancement for /chooser/: one question per step, the result fetched
// from the page's own permalink (the same URL a reader without JavaScript gets
// redirected to) and swapped in, and that URL kept in the address bar. Without
// this file the form posts to the server, which renders the same result.

const root = document.querySelector("[data-chooser]");
if (root) {
  const form = root.querySelector("[data-chooser-form]");
  const steps = Array.from(form.querySelectorAll(".chooser-step"));
  const progress = form.querySelector("[data-chooser-progress]");
  const progressBox = form.querySelector("[data-chooser-progress-box]");
  const markers = progressBox ? Array.from(progressBox.querySelectorAll("li")) : [];
  const resultRegion = root.querySelector("[data-chooser-result]");
  const tuning = root.querySelector("[data-chooser-tuning]");
  const { base } = root.dataset;
  const heading = root.querySelector("h1").textContent.trim();
  const titleSuffix = document.title.includes("·") ? document.title.slice(document.title.indexOf("·")) : "";
  let current = 0;
  // The query whose result (or empty form) is on screen, so that fragment-only
  // history entries such as the skip link's #main do not redo the work.
  let shown = location.search;

  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  };

  function showStep(index, focus = true) {
    current = Math.max(0, Math.min(index, steps.length - 1));
    steps.forEach((step, i) => { step.hidden = i !== current; });
    markers.forEach((marker, i) => {
      marker.classList.toggle("is-done", i < current);
      marker.classList.toggle("is-current", i === current);
    });
    form.classList.toggle("is-last-step", current === steps.length - 1);
    progress.textContent = `Step ${current + 1} of ${steps.length}`;
    if (focus) steps[current].querySelector("legend").focus();
  }

  function queryFromForm() {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (name !== "csrfmiddlewaretoken" && value !== "") params.append(name, value);
    }
    return params;
  }

  // Inputs outside the <form> element (form="chooser-form") are in form.elements too.
  const controls = () => Array.from(form.elements).filter((input) => input.name && input.name !== "csrfmiddlewaretoken");

  function hasChoices(params) {
    const names = new Set(controls().map((input) => input.name));
    return Array.from(params.keys()).some((name) => names.has(name) || name.startsWith("weight_"));
  }

  function syncForm(params) {
    for (const input of controls()) {
      if (input.type === "radio" || input.type === "checkbox") {
        input.checked = params.getAll(input.name).includes(input.value);
      } else if (input.tagName === "SELECT" || input.type === "text" || input.type === "date") {
        input.value = params.get(input.name) || "";
      }
    }
  }

  function renderErrors(messages) {
    const list = el("ul");
    for (const message of messages) list.append(el("li", { text: String(message) }));
    return el("div", { class: "notice notice--error", role: "alert" },
      el("p", { class: "notice__title", text: "Some answers could not be used" }), list);
  }

  // The implied weights shown in Fine-tune follow the answers: copy them from the fetched page.
  function syncImplied(doc) {
    for (const select of root.querySelectorAll("select[data-weight]")) {
      const fresh = doc.getElementById(select.id);
      if (fresh && fresh.options.length && select.options.length) select.options[0].text = fresh.options[0].text;
    }
  }

  // Fine-tune fires a fetch per change; only the newest may paint the result and the
  // URL, or a slow early answer landing last would show a ranking the form no longer asks for.
  let inflight = null;

  async function fetchResult(params, push) {
    inflight?.abort();
    const controller = new AbortController();
    inflight = controller;
    const submit = form.querySelector("[data-submit]");
    submit.disabled = true;
    resultRegion.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(`${base}?${params}`, {
        headers: { Accept: "text/html" },
        credentials: "same-origin",
        signal: controller.signal,
      });
      const body = await response.text();
      if (controller.signal.aborted) return;
      // A server-rendered error from the page load no longer applies.
      root.querySelector("#chooser-errors")?.remove();
      if (response.status === 429) {
        const wait = response.headers.get("Retry-After");
        resultRegion.replaceChildren(renderErrors([`Too many requests: try again in ${wait || "a few"} seconds.`]));
        return;
      }
      const doc = new DOMParser().parseFromString(body, "text/html");
      const fresh = doc.querySelector("[data-chooser-result]");
      if (!response.ok || !fresh || !fresh.querySelector(".chooser-result")) {
        const errors = doc.querySelector("#chooser-errors");
        const messages = errors ? Array.from(errors.querySelectorAll("li"), (li) => li.textContent) : [`The server answered ${response.status}.`];
        resultRegion.replaceChildren(renderErrors(messages));
        form.hidden = false;
      } else {
        syncImplied(doc);
        resultRegion.replaceChildren(...Array.from(fresh.childNodes, (node) => document.importNode(node, true)));
        form.hidden = true;
        document.title = `Your recommendation ${titleSuffix}`.trim();
        const url = `${base}?${params}#result`;
        if (push && `${location.pathname}${location.search}` === `${base}?${params}`) {
          history.replaceState({ query: params.toString() }, "", url);
        } else if (push) {
          history.pushState({ query: params.toString() }, "", url);
        }
        shown = `?${params}`;
      }
      if (push !== "quiet") resultRegion.focus();
    } catch {
      if (controller.signal.aborted) return; // a newer change took over
      // The page cannot be fetched: let the browser post the form instead.
      form.submit();
    } finally {
      if (inflight === controller) {
        inflight = null;
        submit.disabled = false;
        resultRegion.removeAttribute("aria-busy");
      }
    }
  }

  function showControl(id) {
    const target = document.getElementById(id);
    if (!target) return;
    const step = target.closest(".chooser-step");
    if (step) {
      form.hidden = false;
      showStep(steps.indexOf(step), false);
    }
    const details = target.closest("details");
    if (details) details.open = true;
    const focusable = target.matches("input, select, legend") ? target : target.querySelector("legend, input, select");
    (focusable || target).focus();
  }

  function restart(event) {
    event.preventDefault();
    form.reset();
    syncForm(new URLSearchParams());
    resultRegion.replaceChildren();
    form.hidden = false;
    root.querySelector("#chooser-errors")?.remove();
    document.title = `${heading} ${titleSuffix}`.trim();
    history.pushState({ query: "", restart: true }, "", base);
    shown = "";
    showStep(0);
  }

  for (const nav of form.querySelectorAll("[data-step-nav]")) nav.hidden = false;
  if (progressBox) progressBox.hidden = false;
  form.classList.add("is-stepped");
  form.addEventListener("click", (event) => {
    if (event.target.closest("[data-next]")) showStep(current + 1);
    if (event.target.closest("[data-back]")) showStep(current - 1);
  });
  // Enter on an option moves on, as a wizard's Next would, until the last step.
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.matches("input") && current < steps.length - 1) {
      event.preventDefault();
      showStep(current + 1);
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    fetchResult(queryFromForm(), true);
  });
  resultRegion.addEventListener("click", (event) => {
    if (event.target.closest("[data-restart]")) restart(event);
    if (event.target.closest("[data-edit]")) {
      event.preventDefault();
      form.hidden = false;
      showStep(0);
    }
    const change = event.target.closest("[data-change], [data-tune]");
    if (change) {
      event.preventDefault();
      showControl(change.dataset.change || `weight-${change.dataset.tune}`);
    }
  });
  // A must-have is a need too: marking it ticks the need's own checkbox.
  form.addEventListener("change", (event) => {
    const must = event.target.closest("input[name=must]");
    if (must && must.checked) {
      const need = document.getElementById(must.dataset.need);
      if (need) need.checked = true;
    }
  });
  // Beside a result, a new weight or constraint updates it at once (the button does the same without JS).
  tuning?.addEventListener("change", () => {
    if (resultRegion.querySelector(".chooser-result")) fetchResult(queryFromForm(), "quiet");
  });
  window.addEventListener("popstate", (event) => {
    if (location.search === shown) return;
    shown = location.search;
    const params = new URLSearchParams(location.search);
    if (hasChoices(params)) {
      syncForm(params);
      fetchResult(params, false);
      return;
    }
    // Back from a result to the empty chooser keeps the answers, as "Change
    // answers" does; only an entry made by "Start again" clears them.
    if (event.state && event.state.restart) {
      syncForm(params);
      current = 0;
    }
    resultRegion.replaceChildren();
    root.querySelector("#chooser-errors")?.remove();
    document.title = `${heading} ${titleSuffix}`.trim();
    form.hidden = false;
    showStep(current, false);
  });

  // A shared result rendered by the server: show it, keep the form one click away.
  if (resultRegion.querySelector(".chooser-result")) form.hidden = true;
  showStep(0, false);
}

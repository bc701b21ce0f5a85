// The reconciliation page's buttons: each decision is a JSON POST to the extension's
// endpoints (see __init__.py), then the page reloads the books Fava has just re-read.
// Filtering needs no script: the filter form is a plain GET form.

/** The request body of a decision, from the clicked button's table row (and the
 * action's own box in it: a row of the queue offers several actions). */
function decision(action, row, box) {
  const scope = box ?? row;
  const value = (name) => scope?.querySelector(`[name=${name}]`)?.value ?? "";
  const reason = value("reason");
  if (action === "accept-all") {
    return { endpoint: "accept", body: { all_confident: true } };
  }
  if (action === "close") {
    return { endpoint: "close", body: { month: value("month") } };
  }
  const ref = row?.querySelector("select[name=ref]")?.value ?? "";
  const finding = { code: row?.dataset.code, ref };
  if (action === "acknowledge") {
    return { endpoint: "acknowledge", body: { ...finding, reason } };
  }
  const bank_ref = row?.dataset.bank;
  const optional = (body, names) => {
    for (const name of names) {
      if (value(name).trim()) body[name] = value(name);
    }
    return body;
  };
  if (action === "book") {
    const body = optional({ bank_ref, account: value("account") }, ["payee", "narration"]);
    if (scope.querySelector("[name=remember]")?.checked) body.rule = value("rule");
    return { endpoint: "book", body };
  }
  if (action === "link") {
    const items = [...scope.querySelectorAll("input[name=item]:checked")].map((i) => i.value);
    return { endpoint: "link", body: { bank_ref, items } };
  }
  if (action === "unlink") {
    return { endpoint: "unlink", body: { bank_ref } };
  }
  if (action === "write-off") {
    return { endpoint: "write_off", body: optional({ ...finding }, ["reason"]) };
  }
  if (action === "follow-up") {
    return { endpoint: "follow_up", body: optional({ ...finding, owner: value("owner"), due: value("due") }, ["note"]) };
  }
  if (action === "follow-up-done") {
    return { endpoint: "follow_up", body: { ...finding, done: true, note: value("note") } };
  }
  const key = JSON.parse(row.dataset.key);
  return { endpoint: action, body: action === "reject" ? { ...key, reason } : key };
}

function show(status, text, isError) {
  status.textContent = text; // text, never markup
  status.classList.toggle("error", isError);
}

/** Statement files dropped on (or chosen in) the upload form: one multipart POST to the
 * extension's `upload` endpoint, which imports them as `beanclear import` does. */
function uploads(ctx, form) {
  const result = document.getElementById("beanclear-upload-result");
  const input = form.querySelector("input[type=file]");
  const send = async (files) => {
    if (!files.length) {
      show(result, "Choose or drop the statement files to import.", true);
      return;
    }
    const body = new FormData();
    for (const file of files) {
      body.append("statement", file, file.name);
    }
    const source = form.querySelector("select[name=source]")?.value;
    if (source) {
      body.append("source", source);
    }
    if (form.querySelector("input[name=force]")?.checked) {
      body.append("force", "1");
    }
    show(result, `Importing ${files.length} file(s)…`, false);
    try {
      const answer = await ctx.api.post("upload", body);
      if (answer.error) {
        throw new Error(answer.error);
      }
      show(result, answer.summary.join("\n"), false);
      if (answer.written.length) {
        window.setTimeout(() => window.location.reload(), 1500);
      }
    } catch (error) {
      show(result, String(error.message ?? error), true);
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send([...input.files]);
  });
  form.addEventListener("dragover", (event) => {
    event.preventDefault();
    form.classList.add("bc-drag");
  });
  form.addEventListener("dragleave", () => form.classList.remove("bc-drag"));
  form.addEventListener("drop", (event) => {
    event.preventDefault();
    form.classList.remove("bc-drag");
    send([...(event.dataTransfer?.files ?? [])]);
  });
}

export default {
  onExtensionPageLoad(ctx) {
    const page = document.getElementById("beanclear-page");
    const status = document.getElementById("beanclear-status");
    if (!page || !status) {
      return;
    }
    const form = document.getElementById("beanclear-upload");
    if (form) {
      uploads(ctx, form);
    }
    const filters = document.getElementById("beanclear-filters");
    filters?.querySelector("input[name=acknowledged]")?.addEventListener("change", () => filters.requestSubmit());

    // match by hand: the search narrows the open items shown (every word must appear)
    page.addEventListener("input", (event) => {
      const search = event.target.closest(".bc-link input[name=search]");
      if (!search) {
        return;
      }
      const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      for (const item of search.closest(".bc-link").querySelectorAll(".bc-item")) {
        item.hidden = !words.every((w) => item.dataset.text.includes(w));
      }
    });
    // the report's month names the report to download
    const close = page.querySelector(".bc-close");
    close?.querySelector("select[name=report-month]")?.addEventListener("change", (event) => {
      for (const link of close.querySelectorAll("a.bc-download")) {
        link.href = `report?month=${encodeURIComponent(event.target.value)}&format=${link.dataset.format}`;
      }
    });

    page.addEventListener("click", async (event) => {
      const button = event.target.closest("button[data-action]");
      if (!button) {
        return;
      }
      const { endpoint, body } = decision(button.dataset.action, button.closest("tr"),
                                          button.closest(".bc-act, .bc-close"));
      if ((endpoint === "reject" || endpoint === "acknowledge") && !body.reason.trim()) {
        show(status, "Give a reason: it is written into the books beside the decision.", true);
        return;
      }
      button.disabled = true;
      show(status, "Writing to the books…", false);
      try {
        const result = await ctx.api.post(endpoint, body);
        if (result.error) {
          throw new Error(result.error);
        }
        show(status, result.written.length ? `${result.message}: ${result.written.join(", ")}` : result.message,
             false);
        window.location.reload();
      } catch (error) {
        show(status, String(error.message ?? error), true);
        button.disabled = false;
      }
    });
  },
};

// Tribune's optional script. It only enhances: without it every link and
// form works (replies through ?replytocom=, posting through a normal form
// submission and a redirect). With it, the reply form moves under the
// comment being answered and back on cancel, the draft is kept in this
// browser until it is posted, and a counter shows what is left.
(function () {
  "use strict";
  var form = document.getElementById("commentform");
  var respond = document.getElementById("respond");
  if (!form || !respond) { return; }
  var textarea = document.getElementById("comment");
  var parent = document.getElementById("comment_parent");
  var title = document.getElementById("reply-title");
  var home = respond.parentNode, homeNext = respond.nextSibling;
  var originalTitle = title ? title.firstChild.textContent : "";
  var article = form.querySelector("input[name=article]");
  var key = "tribune-draft:" + (article ? article.value : location.pathname);

  function store() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  // Draft: restored unless the server already echoed text back.
  var ls = store();
  if (ls && textarea) {
    if (!textarea.value) { textarea.value = ls.getItem(key) || ""; }
    textarea.addEventListener("input", function () {
      if (textarea.value) { ls.setItem(key, textarea.value); } else { ls.removeItem(key); }
    });
    // The draft is dropped only once the post went through: the page the
    // post redirected to shows the new comment's anchor. A failed post
    // (422, 413, network) keeps it.
    var ss = null;
    try { ss = window.sessionStorage; } catch (e) { ss = null; }
    if (ss) {
      if (ss.getItem(key + ":sent") && /^#comment-/.test(location.hash) && document.getElementById(location.hash.slice(1))) {
        ls.removeItem(key);
        textarea.value = "";
      }
      ss.removeItem(key + ":sent");
      form.addEventListener("submit", function () { ss.setItem(key + ":sent", "1"); });
    }
  }

  // Counter of bytes left: the server's limit is in bytes, not characters.
  if (textarea && textarea.maxLength > 0) {
    var max = textarea.maxLength;
    var counter = document.createElement("span");
    counter.className = "tribune-counter";
    counter.id = "comment-counter";
    counter.setAttribute("aria-live", "polite");
    var template = respond.getAttribute("data-bytes-left") || "{n}";
    var scope = respond.closest ? respond.closest("[lang]") : null;
    var lang = scope ? scope.getAttribute("lang") : undefined;
    textarea.parentNode.appendChild(counter);
    var update = function () {
      var used = new TextEncoder().encode(textarea.value).length;
      counter.textContent = template.replace("{n}", (max - used).toLocaleString(lang));
      textarea.setCustomValidity(used > max ? counter.textContent : "");
    };
    textarea.addEventListener("input", update);
    update();
  }

  function cancelLink() { return document.getElementById("cancel-comment-reply-link"); }

  function moveBack(e) {
    if (e) { e.preventDefault(); }
    parent.value = "";
    home.insertBefore(respond, homeNext);
    var c = cancelLink();
    if (c && c.parentNode) { c.parentNode.hidden = true; }
    if (title) { title.firstChild.textContent = originalTitle; }
  }

  document.addEventListener("click", function (e) {
    var link = e.target.closest ? e.target.closest(".tribune-reply-link") : null;
    if (!link) { return; }
    var id = link.getAttribute("data-reply-to");
    var li = document.getElementById("comment-" + id);
    if (!li) { return; }
    e.preventDefault();
    parent.value = id;
    var body = li.querySelector(".tribune-comment-body");
    body.parentNode.insertBefore(respond, body.nextSibling);
    if (title) { title.firstChild.textContent = (link.getAttribute("aria-label") || originalTitle) + " "; }
    var c = cancelLink();
    if (c) {
      c.parentNode.hidden = false;
    } else if (title) {
      var small = document.createElement("small");
      var a = document.createElement("a");
      a.id = "cancel-comment-reply-link";
      a.rel = "nofollow";
      a.href = "#respond";
      a.textContent = respond.getAttribute("data-cancel") || "×";
      small.appendChild(a);
      title.appendChild(small);
    }
    if (textarea) { textarea.focus(); }
  });
  document.addEventListener("click", function (e) {
    if (e.target && e.target.id === "cancel-comment-reply-link") { moveBack(e); }
  });

  // "More comments": the next comment page, fetched and appended under
  // the thread, its navigation taking the place of this one. The links
  // stay for everyone without the script.
  function moreButton(nav) {
    var next = nav && nav.querySelector("a[rel=next]");
    if (!next || !window.fetch || !window.DOMParser) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "tribune-more";
    button.textContent = nav.getAttribute("data-more") || next.textContent;
    nav.insertBefore(button, nav.firstChild);
    button.addEventListener("click", function () {
      button.disabled = true;
      fetch(next.href, { credentials: "same-origin", headers: { "Accept": "text/html" } }).then(function (r) {
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.text();
      }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var list = document.querySelector(".tribune-thread");
        var items = doc.querySelectorAll(".tribune-thread > li");
        var first = null;
        for (var i = 0; i < items.length; i++) {
          if (document.getElementById(items[i].id)) { continue; }
          var li = document.importNode(items[i], true);
          list.appendChild(li);
          if (!first) { first = li; }
        }
        var nav2 = doc.querySelector(".tribune-pages");
        var fresh = nav2 ? document.importNode(nav2, true) : null;
        if (fresh) { nav.parentNode.replaceChild(fresh, nav); } else { nav.parentNode.removeChild(nav); }
        if (first) {
          first.setAttribute("tabindex", "-1");
          first.focus();
        }
        moreButton(fresh);
      }).catch(function () {
        // The link still works: follow it.
        location.href = next.href;
      });
    });
  }
  moreButton(document.querySelector(".tribune-pages"));

  // After a failed post, bring the error summary into view and focus.
  var errors = document.getElementById("tribune-errors");
  if (errors) { errors.focus(); }
})();

// Loaded after require.js and before the widget manager (embed-amd.js); see README.md here.
//
// 1. Resolve AMD module paths from the book's root, whatever folder the page is in, so that the widget
//    manager finds its fonts at <book root>/@jupyter-widgets/html-manager/dist/, which the build copies
//    there from book/_extra.
requirejs.config({ baseUrl: document.documentElement.dataset.content_root || "./" });

// 2. The widget manager typesets widget labels with the MathJax 2 API, MathJax.Hub.Queue(["Typeset",
//    MathJax.Hub, element]); the book serves MathJax 3, which has no Hub. Translate that one call.
//    MathJax's script is deferred, so its global exists only once the document is parsed.
document.addEventListener("DOMContentLoaded", function () {
  var mj = window.MathJax;
  if (mj && !mj.Hub) {
    mj.Hub = {
      Queue: function (job) {
        var element = job[2];
        if (window.MathJax.typesetPromise) {
          window.MathJax.typesetPromise([element]).catch(function (err) { console.warn(err); });
        }
      },
    };
  }
});

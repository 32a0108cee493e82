// Resolve AMD module paths from the book's root, whatever folder the page is in, so that the widget
// manager (embed-amd.js) finds its fonts at <book root>/@jupyter-widgets/html-manager/dist/, which
// the build copies there from book/_extra.
requirejs.config({ baseUrl: document.documentElement.dataset.content_root || "./" });

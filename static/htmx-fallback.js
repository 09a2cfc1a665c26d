// htmx from the CDN failed (offline networks, blocked CDN): load the identical local copy.
if (!window.htmx) document.write('<script src="' + document.currentScript.dataset.local + '"><\/script>');

// Search highlights arrive as HTML-escaped text with matched words in <em>…</em>. They are never
// given to innerHTML: the fragment is parsed inertly and only its text and <em> marks are kept.
import type { JSX } from "preact";

export function Highlighted({ fragment }: { fragment: string }): JSX.Element {
  const doc = new DOMParser().parseFromString(`<body>${fragment}</body>`, "text/html");
  const parts: JSX.Element[] = [];
  doc.body.childNodes.forEach((node, i) => {
    const text = node.textContent ?? "";
    if (node.nodeName === "EM") parts.push(<mark key={i}>{text}</mark>);
    else parts.push(<span key={i}>{text}</span>);
  });
  return <>{parts}</>;
}

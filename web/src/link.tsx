import type { ComponentChildren, JSX } from "preact";
import { onLinkClick } from "./router";

export function Link(props: { href: string; children: ComponentChildren; class?: string; id?: string }): JSX.Element {
  return (
    <a href={props.href} class={props.class} id={props.id} onClick={onLinkClick}>
      {props.children}
    </a>
  );
}

export function entityHref(guid: string): string {
  return `/ui/entity/${encodeURIComponent(guid)}`;
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Mustache from 'mustache';

/**
 * Templates use `<% %>` tags, not `{{ }}`: the workflow's `${{ … }}` and TypeScript's
 * object literals stay as they are. Nothing is HTML-escaped.
 */
const tags: [string, string] = ['<%', '%>'];

export function render(template: string, view: object): string {
  return Mustache.render(template, view, {}, { tags, escape: (value: string) => value });
}

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory()
      ? filesUnder(path).map((child) => join(entry, child))
      : [relative(dir, path)];
  });
}

/**
 * A folder of templates rendered with `view`: `x.ts.tmpl` becomes `x.ts`, its path rendered
 * too; `x.ts.each-<list>.tmpl` once per element of `view[<list>]` (with that element's
 * fields added to the view). A file that renders to nothing but white space is not written:
 * that is how a part a service does not need (its handlers, its events) is left out.
 */
export function renderFolder(dir: string, view: Record<string, unknown>): Map<string, string> {
  const rendered = new Map<string, string>();
  for (const file of filesUnder(dir).sort()) {
    const template = readFileSync(join(dir, file), 'utf8');
    const each = /\.each-([a-z]+)\.tmpl$/i.exec(file);
    const views = each
      ? ((view[each[1] as string] as Record<string, unknown>[] | undefined) ?? []).map((item) => ({
          ...view,
          ...item,
        }))
      : [view];
    const target = file.replace(/(\.each-[a-z]+)?\.tmpl$/i, '');
    for (const itemView of views) {
      const content = render(template, itemView);
      if (content.trim() === '') continue;
      rendered.set(render(target, itemView), content);
    }
  }
  return rendered;
}

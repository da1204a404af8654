/**
 * A lesson's equation, typeset by KaTeX from the lesson's own constant TeX (never from input).
 *
 * `katex.render` builds the formula as DOM nodes and sets their styles through the CSSOM, so it
 * needs neither innerHTML nor inline style attributes: it works under a strict
 * Content-Security-Policy (no inline scripts, no 'unsafe-inline' styles), where the markup of
 * `renderToString` would have its style attributes dropped. KaTeX's stylesheet and fonts come in
 * through the bundle, from our own origin. This module is loaded only when a lesson opens.
 */
import katex from 'katex';
import 'katex/dist/katex.min.css';
import { useLayoutEffect, useRef } from 'react';

export default function Equation({ tex }: { tex: string }) {
  const holder = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const element = holder.current;
    if (element === null) return;
    // A typo in a lesson shows as red TeX source rather than a blank panel.
    katex.render(tex, element, { displayMode: true, throwOnError: false, output: 'htmlAndMathml' });
    return () => {
      element.textContent = '';
    };
  }, [tex]);
  return <div ref={holder} className="lesson-equation" />;
}

import { describe, expect, it } from 'vitest';
import { escapeHtml, isSafeUrl, renderMarkdown } from './markdown';

const md = (s: string) => renderMarkdown(s);

describe('renderMarkdown blocks', () => {
  it('renders headings, paragraphs and rules', () => {
    expect(md('# Title\n\nSome *text*\nmore text.\n\n---\n## Sub ##')).toBe('<h1>Title</h1>\n<p>Some <em>text</em>\nmore text.</p>\n<hr>\n<h2>Sub</h2>');
  });

  it('shifts heading levels by the offset, capped at h6', () => {
    expect(renderMarkdown('# A\n###### B', { headingOffset: 2 })).toBe('<h3>A</h3>\n<h6>B</h6>');
    expect(() => renderMarkdown('x', { headingOffset: 7 })).toThrow(/headingOffset/);
  });

  it('renders fenced code verbatim and escaped, with its language', () => {
    expect(md('```promql\nsum(rate(x[5m])) > 1 <b>\n  *not em*\n```\nafter')).toBe(
      '<pre><code class="language-promql">sum(rate(x[5m])) &gt; 1 &lt;b&gt;\n  *not em*</code></pre>\n<p>after</p>',
    );
    expect(md('~~~\nopen')).toBe('<pre><code>open</code></pre>');
  });

  it('renders tight and loose lists, ordered with a start, nested by indentation', () => {
    expect(md('- one\n- two\n  - two.a\n  - two.b\n- three')).toBe(
      '<ul>\n<li>one</li>\n<li>two\n<ul>\n<li>two.a</li>\n<li>two.b</li>\n</ul></li>\n<li>three</li>\n</ul>',
    );
    expect(md('3. c\n4. d')).toBe('<ol start="3">\n<li>c</li>\n<li>d</li>\n</ol>');
    expect(md('1. a\n\n2. b')).toBe('<ol>\n<li><p>a</p></li>\n<li><p>b</p></li>\n</ol>');
    expect(md('* a\nlazy line\n\npara')).toBe('<ul>\n<li>a\nlazy line</li>\n</ul>\n<p>para</p>');
  });

  it('renders block quotes with markdown inside', () => {
    expect(md('> **Note:** runbook\n> - step')).toBe('<blockquote><p><strong>Note:</strong> runbook</p>\n<ul>\n<li>step</li>\n</ul></blockquote>');
  });

  it('breaks lines on two trailing spaces or a backslash', () => {
    expect(md('a  \nb\\\nc')).toBe('<p>a<br>\nb<br>\nc</p>');
  });
});

describe('renderMarkdown inline', () => {
  it('renders emphasis, strong, strike-through and code spans', () => {
    expect(md('**b** __b__ *i* _i_ ~~s~~ `a*b*c` snake_case_name 2*3*4')).toBe(
      '<p><strong>b</strong> <strong>b</strong> <em>i</em> <em>i</em> <del>s</del> <code>a*b*c</code> snake_case_name 2<em>3</em>4</p>',
    );
  });

  it('keeps backslash-escaped characters literal', () => {
    expect(md('\\*not em\\* \\# \\<')).toBe('<p>*not em* # \\&lt;</p>');
  });

  it('renders links with a safe target, external ones in a new tab', () => {
    expect(md('[Runbook](https://wiki.example/run "How to") and [home](/d/abc) and <https://x.example/a?b=1&c=2>')).toBe(
      '<p><a href="https://wiki.example/run" title="How to" target="_blank" rel="noopener noreferrer">Runbook</a> and <a href="/d/abc">home</a> and ' +
        '<a href="https://x.example/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">https://x.example/a?b=1&amp;c=2</a></p>',
    );
    expect(md('[`code` *label*](#x)')).toBe('<p><a href="#x"><code>code</code> <em>label</em></a></p>');
  });

  it('never lets raw HTML or script URLs through', () => {
    const out = md('<script>alert(1)</script> <img src=x onerror="alert(1)"> [x](javascript:alert(1)) [y](JaVaScRiPt:alert(1)) [z](data:text/html,<b>)');
    expect(out).not.toMatch(/<script|<img|href="javascript|href="data/i);
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(md('# <b onclick="x">t</b>')).toBe('<h1>&lt;b onclick=&quot;x&quot;&gt;t&lt;/b&gt;</h1>');
    expect(md('[a](https://x" onmouseover="y)')).not.toMatch(/" onmouseover/);
  });

  it('is empty for empty input and ignores NUL characters', () => {
    expect(md('')).toBe('');
    expect(md('\n\n  \n')).toBe('');
    expect(md('a\u00000\u0000b')).toBe('<p>a0b</p>');
  });
});

describe('helpers', () => {
  it('accepts only http(s), mailto and relative URLs', () => {
    expect(['https://a', 'http://a', 'mailto:x@y', '/d/1', '#top', 'page?x=1', '//cdn.example/x'].every(isSafeUrl)).toBe(true);
    expect(['javascript:x', ' vbscript:x', 'data:x', 'file:///etc/passwd', ''].some(isSafeUrl)).toBe(false);
  });
  it('escapes the five HTML specials', () => {
    expect(escapeHtml(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
  });
});

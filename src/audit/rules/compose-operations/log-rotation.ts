import type { Span } from '../../../diagnostics/span.js';
import { entry, type LMap } from '../../../source/tree.js';
import { addToMapping, fix } from '../../fix-helpers.js';
import type { ComposeRule, ComposeServiceContext, TextEdit } from '../../rule.js';
import { startsIn } from '../_spans.js';
import { firstReport, indentStep, ownBlock, ownMapping, partialService } from './_shared.js';

/** A logging block from an anchor is one place for all services using it. */
const firstTime = firstReport();

/** Drivers that write to files on the host and keep them whole unless told a size. */
const FILE_DRIVERS = new Set(['json-file', 'k8s-file']);

/** A block mapping's own entries (merge keys left out), or undefined for flow style and other places. */
function block(ctx: ComposeServiceContext, node: LMap, outer: Span): LMap | undefined {
  return startsIn(node.span, outer) ? ownBlock(ctx.text, node) : undefined;
}

/** The json-file log driver keeps every line forever unless it is given a size: the disk fills up. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'log-rotation',
    title: 'Container logs are rotated',
    category: 'monitoring',
    severity: 'low',
    fixable: 'unsafe',
    profiles: ['recommended', 'strict'],
  },
  service(ctx) {
    const { service } = ctx;
    if (partialService(ctx)) return ctx.skip();
    const logging = service.config.logging as { driver?: unknown; options?: Record<string, unknown> } | undefined;
    const logEntry = entry(service.node, 'logging');
    const own = ownMapping(ctx);
    if (!logging || !logEntry || logEntry.value.kind !== 'map') {
      const unit = own ? indentStep(ctx.text, service.span, own) : '  ';
      const edit = own && addToMapping(ctx.text, own, `logging:\n${unit}driver: json-file\n${unit}options:\n${unit}${unit}max-size: 10m\n${unit}${unit}max-file: "3"`);
      ctx.report({
        span: service.span,
        message: `service "${service.name}" does not limit its logs: with the json-file driver (Docker's default) they grow without bound, unless the daemon's log-opts limit them`,
        ...(edit ? { fix: fix('Rotate the logs: json-file with max-size 10m, max-file 3', edit) } : {}),
      });
      return;
    }
    const driverNode = entry(logEntry.value, 'driver');
    if (driverNode && ctx.unsetIn(driverNode.value.span).length) return ctx.skip();
    const driver = typeof logging.driver === 'string' ? logging.driver.trim() : undefined;
    // journald, local (rotates by default), syslog, none and the network drivers do not fill the disk.
    if (driver !== undefined && driver !== '' && !FILE_DRIVERS.has(driver)) return;
    const optionsEntry = entry(logEntry.value, 'options');
    const maxSize = optionsEntry?.value.kind === 'map' ? entry(optionsEntry.value, 'max-size') : undefined;
    if (maxSize) {
      if (ctx.unsetIn(maxSize.value.span).length) return ctx.skip();
      return;
    }
    const span = driverNode?.value.span ?? logEntry.keySpan;
    if (!firstTime(ctx.project, `${span.file}:${span.offset}`)) return;
    let edit: TextEdit | undefined;
    const logMap = own ? block(ctx, logEntry.value, own.span) : undefined;
    if (logMap && !optionsEntry) {
      const unit = indentStep(ctx.text, logEntry.keySpan, logMap);
      edit = addToMapping(ctx.text, logMap, `options:\n${unit}max-size: 10m\n${unit}max-file: "3"`);
    } else if (logMap && optionsEntry?.value.kind === 'map') {
      const opts = block(ctx, optionsEntry.value, logMap.span);
      const lines = entry(optionsEntry.value, 'max-file') ? 'max-size: 10m' : 'max-size: 10m\nmax-file: "3"';
      if (opts) edit = addToMapping(ctx.text, opts, lines);
    }
    ctx.report({
      span,
      message: `service "${service.name}" logs to ${driver ?? 'the default driver'} without max-size: the log file grows without bound`,
      ...(edit ? { fix: fix('Limit the log size: max-size 10m, max-file 3', edit) } : {}),
    });
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n    logging:\n      driver: json-file\n      options:\n        max-size: 10m\n        max-file: "3"\n' },
      { name: 'journald rotates on its own; local rotates by default', code: 'services:\n  a:\n    image: nginx:1.27\n    logging:\n      driver: journald\n  b:\n    image: nginx:1.27\n    logging:\n      driver: local\n' },
      {
        name: 'from an anchor; a driver from an unset variable',
        code: 'x-logging: &logging\n  driver: json-file\n  options:\n    max-size: 50m\nservices:\n  a:\n    image: nginx:1.27\n    logging: *logging\n  b:\n    image: nginx:1.27\n    logging:\n      driver: ${LOG_DRIVER}\n',
      },
    ],
    invalid: [
      {
        name: 'no logging at all; four-space indentation; comments kept',
        code: 'services:\n    web:\n        image: nginx:1.27\n        ports:\n            - "127.0.0.1:80:80" # proxy only\n    # the database\n    db:\n        image: postgres:16\n        logging:\n            driver: journald\n',
        errors: [{ line: 2, column: 5, message: /service "web" does not limit its logs/ }],
        output:
          'services:\n    web:\n        image: nginx:1.27\n        ports:\n            - "127.0.0.1:80:80" # proxy only\n        logging:\n            driver: json-file\n            options:\n                max-size: 10m\n                max-file: "3"\n    # the database\n    db:\n        image: postgres:16\n        logging:\n            driver: journald\n',
      },
      {
        name: 'json-file without options, and with options but no max-size',
        code: 'services:\n  a:\n    image: nginx:1.27\n    logging:\n      driver: json-file # explicit\n  b:\n    image: nginx:1.27\n    logging:\n      driver: "json-file"\n      options:\n        max-file: "5"\n',
        errors: [
          { line: 5, column: 15, message: /"a" logs to json-file without max-size/ },
          { line: 9, column: 15, message: /"b" logs to json-file without max-size/ },
        ],
        output:
          'services:\n  a:\n    image: nginx:1.27\n    logging:\n      driver: json-file # explicit\n      options:\n        max-size: 10m\n        max-file: "3"\n  b:\n    image: nginx:1.27\n    logging:\n      driver: "json-file"\n      options:\n        max-file: "5"\n        max-size: 10m\n',
      },
      {
        name: 'an anchored logging block without max-size: one finding, no fix',
        code: 'x-log: &log\n  driver: json-file\nservices:\n  a:\n    image: nginx:1.27\n    logging: *log\n  b:\n    image: nginx:1.27\n    logging: *log\n',
        errors: [{ line: 2, column: 11, message: /"a" logs to json-file without max-size/ }],
      },
      {
        name: 'a flow mapping: reported without a fix',
        code: 'services:\n  web:\n    image: nginx:1.27\n    logging: { driver: json-file }\n',
        errors: [{ line: 4, column: 24 }],
      },
    ],
  },
};

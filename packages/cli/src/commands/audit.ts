import type { Finding, Severity } from '@repo/tenancy';
import { Command } from 'commander';
import { z } from 'zod';
import { examples, jsonOption, parseOptions, type CommandFactory } from '../command';
import { EXIT } from '../exit-codes';
import { out, outJson } from '../io';
import { table } from '../table';

const options = z.object({ json: z.boolean().default(false) });

const RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** tenancy.audit(): reads every placement's catalog for isolation problems. Exit 3 when it finds any. */
export const auditCommand: CommandFactory = (context) =>
  new Command('audit')
    .description(
      'Check every placement (shared tables, templates, every tenant schema and database) for isolation problems: grants, RLS, roles, the context key. Exit 3 when there are findings.',
    )
    .addOption(jsonOption())
    .addHelpText('after', examples('tenancy audit', 'tenancy audit --json | jq \'.findings[] | select(.severity == "critical")\''))
    .action(async (raw: unknown) => {
      const { json } = parseOptions(options, raw);
      const report = await (await context.tenancy()).audit();
      const findings = [...report.findings].sort((a, b) => RANK[a.severity] - RANK[b.severity] || a.code.localeCompare(b.code));
      if (findings.length > 0) context.exitCode = EXIT.findings;
      if (json) return outJson(context.io, { ...report, findings });
      if (findings.length === 0) return out(context.io, `No findings: ${report.placements} placement(s) checked.`);
      out(
        context.io,
        table<Finding>(findings, [
          { header: 'SEVERITY', cell: (f) => f.severity },
          { header: 'CODE', cell: (f) => f.code },
          { header: 'OBJECT', cell: (f) => f.object },
          { header: 'TENANT', cell: (f) => f.tenant ?? '-' },
          { header: 'WHAT TO DO', cell: (f) => f.message },
        ]),
      );
      out(context.io, `\n${findings.length} finding(s) in ${report.placements} placement(s).`);
    });

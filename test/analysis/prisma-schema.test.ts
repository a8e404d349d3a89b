import { describe, expect, it } from 'vitest';
import { cascadesOf, cascadeTable } from '../../src/analysis/prisma-schema.js';
import { modelName } from '../../src/analysis/sources/declarations.js';

const SCHEMA = `
model organization {
  id       String    @id
  projects Project[]
  apiKeys  ApiKey[]
  members  Member[]
}

model Project {
  id      String       @id
  orgId   String
  org     organization @relation(fields: [orgId], references: [id], onDelete: Cascade)
  apiKeys ApiKey[]
}

model ApiKey {
  id        String        @id
  projectId String?
  project   Project?      @relation(fields: [projectId], references: [id], onDelete: Cascade)
  orgId     String?
  org       organization? @relation(fields: [orgId], references: [id], onDelete: Cascade)
}

model Member {
  id    String        @id
  orgId String?
  org   organization? @relation(fields: [orgId], references: [id], onDelete: SetNull)
}
`;

describe('Prisma schema cascades', () => {
  it('follows onDelete: Cascade relations from the deleted model, nearest first, each model once', () => {
    const table = cascadeTable([{ file: 'schema.prisma', text: SCHEMA }], modelName);
    // Model names take the Prisma source's class-name form (`organization` → `Organization`).
    expect(cascadesOf(table, 'Organization')).toEqual([
      { model: 'Project', chain: ['Organization', 'Project'] },
      { model: 'ApiKey', chain: ['Organization', 'ApiKey'] },
    ]);
    expect(cascadesOf(table, 'Project')).toEqual([{ model: 'ApiKey', chain: ['Project', 'ApiKey'] }]);
    expect(cascadesOf(table, 'ApiKey')).toEqual([]);
  });

  it('joins a schema split over several files, and leaves out a file that does not parse', () => {
    const table = cascadeTable(
      [
        { file: 'team.prisma', text: 'model Team {\n  id String @id\n  projects Project[]\n}\n' },
        {
          file: 'project.prisma',
          text: 'model Project {\n  id String @id\n  teamId String\n  team Team @relation(fields: [teamId], references: [id], onDelete: Cascade)\n}\n',
        },
        { file: 'broken.prisma', text: 'model Key {\n  id String @id\n  project Project @relation(onDelete: Cascade\n' },
      ],
      modelName,
    );
    expect(cascadesOf(table, 'Team')).toEqual([{ model: 'Project', chain: ['Team', 'Project'] }]);
    expect(cascadesOf(table, 'Project')).toEqual([]);
  });
});

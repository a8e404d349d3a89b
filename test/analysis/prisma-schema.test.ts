import { describe, expect, it } from 'vitest';
import { cascadesOf, cascadeTable, joinKeysTable, prismaModels } from '../../src/analysis/prisma-schema.js';
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
    const table = cascadeTable(prismaModels([{ file: 'schema.prisma', text: SCHEMA }]), modelName);
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
      prismaModels([
        { file: 'team.prisma', text: 'model Team {\n  id String @id\n  projects Project[]\n}\n' },
        {
          file: 'project.prisma',
          text: 'model Project {\n  id String @id\n  teamId String\n  team Team @relation(fields: [teamId], references: [id], onDelete: Cascade)\n}\n',
        },
        { file: 'broken.prisma', text: 'model Key {\n  id String @id\n  project Project @relation(onDelete: Cascade\n' },
      ]),
      modelName,
    );
    expect(cascadesOf(table, 'Team')).toEqual([{ model: 'Project', chain: ['Team', 'Project'] }]);
    expect(cascadesOf(table, 'Project')).toEqual([]);
  });
});

describe('Prisma schema join keys', () => {
  it('names the relation field and the keys of its @relation, and the list field of a many-to-many relation', () => {
    const models = prismaModels([
      {
        file: 'schema.prisma',
        text: `model Rule {\n  id String @id\n  projectId String\n  project Project @relation(fields: [projectId], references: [id])\n  integrations Integration[]\n}\nmodel Integration {\n  id String @id\n  name String\n  rules Rule[]\n}\nmodel Project {\n  id String @id\n  rules Rule[]\n}\n`,
      },
    ]);
    const table = joinKeysTable(models, modelName);
    expect(table.get('Rule')?.get('Project')).toEqual(['project', 'projectId']);
    expect(table.get('Integration')?.get('Rule')).toEqual(['rules']);
    expect(table.get('Project')?.get('Integration')).toBeUndefined();
  });
});

import { Field, Float, InputType, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('Folder')
export class FolderType {
  @Field(() => String)
  uid!: string;
  @Field(() => String)
  title!: string;
  @Field(() => Int)
  version!: number;
  @Field(() => Float, { description: 'Milliseconds since the epoch.' })
  createdAt!: number;
  @Field(() => Float)
  updatedAt!: number;
}

@ObjectType('DashboardSummary', { description: 'A dashboard without its model, as lists and searches return it.' })
export class DashboardSummaryType {
  @Field(() => String)
  uid!: string;
  @Field(() => String)
  title!: string;
  @Field(() => [String])
  tags!: readonly string[];
  @Field(() => Int, { description: 'Incremented by every update; give it back to update (optimistic concurrency).' })
  version!: number;
  @Field(() => String, { nullable: true, description: 'Folder uid; null for the root.' })
  folderUid!: string | null;
  @Field(() => String, { nullable: true })
  createdBy!: string | null;
  @Field(() => String, { nullable: true })
  updatedBy!: string | null;
  @Field(() => Float)
  createdAt!: number;
  @Field(() => Float)
  updatedAt!: number;
}

@ObjectType('Dashboard')
export class DashboardType extends DashboardSummaryType {
  @Field(() => String, { description: 'The dashboard JSON model, as stored (byte-exact).' })
  model!: string;
}

@ObjectType('TagCount')
export class TagCountType {
  @Field(() => String)
  tag!: string;
  @Field(() => Int)
  count!: number;
}

@InputType('DashboardInput')
export class DashboardInput {
  @Field(() => String, { nullable: true, description: 'Default: a random uid.' })
  uid?: string | null;
  @Field(() => String)
  title!: string;
  @Field(() => [String], { nullable: true })
  tags?: string[] | null;
  @Field(() => String, { nullable: true, description: 'JSON model; default "{}".' })
  model?: string | null;
  @Field(() => String, { nullable: true })
  folderUid?: string | null;
}

@InputType('DashboardPatchInput', { description: 'Fields left out are kept; folderUid null moves the dashboard to the root.' })
export class DashboardPatchInput {
  @Field(() => String, { nullable: true })
  title?: string | null;
  @Field(() => [String], { nullable: true })
  tags?: string[] | null;
  @Field(() => String, { nullable: true })
  model?: string | null;
  @Field(() => String, { nullable: true })
  folderUid?: string | null;
}

@InputType('DashboardSearchInput')
export class DashboardSearchInput {
  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the title.' })
  query?: string | null;
  @Field(() => [String], { nullable: true, description: 'Dashboards carrying every one of these tags.' })
  tags?: string[] | null;
  @Field(() => String, { nullable: true, description: 'Only this folder ("" for the root).' })
  folderUid?: string | null;
  @Field(() => Int, { nullable: true })
  limit?: number | null;
  @Field(() => Int, { nullable: true })
  offset?: number | null;
}

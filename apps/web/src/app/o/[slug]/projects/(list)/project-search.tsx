import { Select } from '@/components/select';
import { PROJECT_SORTS, type ProjectListQuery } from '@/lib/project-list-query';

/**
 * Search by name and order: a plain GET form, so it works before the page's scripts have loaded and its result is
 * an address that can be shared. Keyed by the query, so that after a navigation (back, a pager link) the fields
 * show the list's query rather than what was typed before.
 */
export function ProjectSearch({ action, query }: { action: string; query: ProjectListQuery }) {
  return (
    <form key={`${query.q ?? ''}|${query.sort}`} role="search" method="get" action={action} className="list-search">
      <label className="sr-only" htmlFor="project-search">
        Search projects
      </label>
      <input className="input" type="search" id="project-search" name="q" defaultValue={query.q ?? ''} placeholder="Search by name" maxLength={200} />
      <label className="sr-only" htmlFor="project-sort">
        Sort
      </label>
      <Select className="select" id="project-sort" name="sort" defaultValue={query.sort}>
        {Object.entries(PROJECT_SORTS).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </Select>
      <button type="submit" className="btn">
        Search
      </button>
    </form>
  );
}

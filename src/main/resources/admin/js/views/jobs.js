// Bulk issuance jobs: upload a CSV of user ids (`POST /api/issuance-jobs?couponPolicyId=&name=&issuedBy=`,
// text/csv) and the list of jobs, newest first.
import { api, newIdempotencyKey, outcomeUnknown, query } from '../api.js';
import { cell, formatNumber, formatTime, h, heading, replace, table } from '../dom.js';
import { loadErrorNotice } from '../errors.js';
import { field, submitToApi } from '../forms.js';
import { CursorPager } from '../pager.js';
import { subjectOf, token } from '../session.js';

const PAGE_SIZE = 20;

export function statusBadge(job) {
  const kind = job.status === 'COMPLETED' ? 'badge--on' : job.status === 'CANCELLED' ? 'badge--bad' : 'badge--off';
  return h('span', { className: `badge ${kind}`, 'data-field': 'status' }, job.status);
}

export function jobsView(ctx) {
  const specs = [
    { name: 'couponPolicyId', label: 'Policy id', kind: 'number', value: ctx.params.get('policy') ?? '' },
    { name: 'name', label: 'Job name', kind: 'text', hint: 'e.g. Winter VIP' },
    { name: 'issuedBy', label: 'Issued by', kind: 'text', value: subjectOf(token()) ?? '' },
    { name: 'file', label: 'CSV of user ids', kind: 'file', accept: '.csv,text/csv',
      hint: 'One user id per line; an optional first line "userId".', wide: true },
  ];
  const problem = h('div', { id: 'upload-error' });
  const submit = h('button', { type: 'submit', className: 'button' }, 'Start job');
  const form = h('form', { className: 'panel', novalidate: true, id: 'job-form' },
    h('h2', {}, 'Issue a policy to a list of users'),
    h('div', { className: 'form-grid' }, specs.map(spec => field('job', spec))),
    h('div', { className: 'form-actions' }, submit));
  const list = h('div', { id: 'job-list' });
  const pager = new CursorPager(loadJobs);

  let submissionKey = null;
  submitToApi(form, {
    button: submit,
    problem,
    names: ['couponPolicyId', 'name', 'issuedBy'],
    // A refusal naming no parameter is about the CSV (it names the line).
    placement: { codeFields: { POLICY_NOT_FOUND: 'couponPolicyId' }, unnamed: 'file' },
    failure: error => loadErrorNotice(error, 'Bulk issuance'),
    send: async () => {
      const file = form.elements.file.files[0];
      // A submission whose answer was lost (network, 5xx) may have started the job: its retry carries the same
      // key, so the service answers that job instead of starting a second one. A refusal gets a new key.
      submissionKey ??= newIdempotencyKey();
      let job;
      try {
        job = await api(`/api/issuance-jobs${query({
          couponPolicyId: form.elements.couponPolicyId.value.trim(),
          name: form.elements.name.value.trim(),
          issuedBy: form.elements.issuedBy.value.trim(),
        })}`, {
          method: 'POST', contentType: 'text/csv', body: file ? await file.text() : '', idempotencyKey: submissionKey,
        });
      } catch (error) {
        if (!outcomeUnknown(error)) {
          submissionKey = null;
        }
        throw error;
      }
      submissionKey = null;
      ctx.navigate(`#/jobs/${job.jobId}`, `Job ${job.jobId} started for ${formatNumber(job.totalRequested)} users.`);
    },
  });

  async function loadJobs() {
    try {
      const page = await api(`/api/issuance-jobs${query({ cursor: pager.cursor, limit: PAGE_SIZE })}`);
      replace(list, page.jobs.length === 0 ? h('p', { className: 'empty' }, 'No jobs yet.') : table(null, [
        { label: 'Job', numeric: true }, { label: 'Name' }, { label: 'Policy', numeric: true }, { label: 'Status' },
        { label: 'Processed', numeric: true }, { label: 'Issued', numeric: true }, { label: 'Failed', numeric: true },
        { label: 'Created (UTC)' },
      ], page.jobs.map(job => h('tr', { 'data-job-id': job.jobId },
        cell(h('a', { href: `#/jobs/${job.jobId}` }, String(job.jobId)), true),
        cell(job.name ?? '—'),
        cell(h('a', { href: `#/policies/${job.couponPolicyId}` }, String(job.couponPolicyId)), true),
        cell(statusBadge(job)),
        cell(`${formatNumber(job.processed)} / ${formatNumber(job.totalRequested)}`, true),
        cell(formatNumber(job.successCount), true),
        cell(formatNumber(job.failureCount), true),
        cell(formatTime(job.createdAt))))), pager.controls('Job pages', page));
    } catch (error) {
      replace(list, loadErrorNotice(error, 'Bulk issuance jobs'));
    }
  }

  ctx.root.append(heading('Issuance jobs'),
    h('p', { className: 'lead' }, 'Large campaigns run as jobs in the background; each user is issued at most once.'),
    problem, form,
    h('section', { 'aria-labelledby': 'jobs-heading' }, h('h2', { id: 'jobs-heading' }, 'Jobs'), list));
  return loadJobs();
}

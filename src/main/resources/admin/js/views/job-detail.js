// One bulk issuance job: a progress bar polled from `GET /api/issuance-jobs/{id}` until the job is COMPLETED or
// CANCELLED, its failures by code, cancelling, and its per-user results page by page.
import { api, query } from '../api.js';
import { cell, formatNumber, formatTime, h, heading, okNotice, replace, statusRegion, table } from '../dom.js';
import { errorNotice, loadErrorNotice } from '../errors.js';
import { CursorPager } from '../pager.js';
import { statusBadge } from './jobs.js';

const POLL_MS = 1000;
const RESULTS_PAGE = 50;
const FINISHED = ['COMPLETED', 'CANCELLED'];

export async function jobDetailView(ctx) {
  const jobId = ctx.id;
  const title = heading(`Job ${jobId}`);
  const status = statusRegion();
  const problem = h('div', { id: 'job-error' });
  const progress = h('progress', { id: 'job-progress', max: '1', value: '0', 'aria-labelledby': 'job-progress-label' });
  const progressText = h('span', { className: 'progress__text', id: 'job-progress-text' });
  const summary = h('div', { id: 'job-summary' });
  const failures = h('div', { id: 'job-failures' });
  const results = h('div', { id: 'job-results' });
  const outcome = h('select', { id: 'result-outcome' },
    [['', 'All users'], ['SUCCESS', 'Issued'], ['FAILED', 'Failed']].map(([value, label]) => h('option', { value }, label)));
  const pager = new CursorPager(loadResults);
  outcome.addEventListener('change', () => {
    pager.reset();
    loadResults();
  });
  let pollTimer = null;
  let finished = false;
  let processed = 0;
  ctx.onDispose(() => clearTimeout(pollTimer));

  ctx.root.append(title, status, problem,
    h('section', { className: 'panel', 'aria-labelledby': 'job-progress-label' },
      h('h2', { id: 'job-progress-label' }, 'Progress'),
      h('div', { className: 'progress' }, progress, progressText),
      summary),
    h('section', { className: 'panel', 'aria-labelledby': 'failures-heading' },
      h('h2', { id: 'failures-heading' }, 'Failures by code'), failures),
    h('section', { className: 'panel', 'aria-labelledby': 'results-heading' },
      h('h2', { id: 'results-heading' }, 'Results'),
      h('div', { className: 'toolbar' }, h('label', { for: 'result-outcome' }, 'Show'), outcome),
      results));

  function showJob(job) {
    title.textContent = `Job ${job.jobId}${job.name ? `: ${job.name}` : ''}`;
    progress.max = Math.max(job.totalRequested, 1);
    progress.value = job.processed;
    const percent = job.totalRequested === 0 ? 100 : Math.floor((job.processed * 100) / job.totalRequested);
    progressText.textContent = `${formatNumber(job.processed)} of ${formatNumber(job.totalRequested)} (${percent}%)`;
    const cancel = FINISHED.includes(job.status) ? null : h('button', {
      type: 'button', className: 'button button--danger button--small', id: 'cancel-job', onclick: cancelJob,
    }, 'Cancel job');
    replace(summary, h('dl', { className: 'facts' },
      h('dt', {}, 'Status'), h('dd', {}, statusBadge(job), ' ', cancel),
      h('dt', {}, 'Policy'), h('dd', {}, h('a', { href: `#/policies/${job.couponPolicyId}` }, String(job.couponPolicyId))),
      h('dt', {}, 'Issued'), h('dd', { 'data-field': 'successCount' }, formatNumber(job.successCount)),
      h('dt', {}, 'Failed'), h('dd', { 'data-field': 'failureCount' }, formatNumber(job.failureCount)),
      h('dt', {}, 'Issued by'), h('dd', {}, job.issuedBy ?? '—'),
      h('dt', {}, 'Created / started / completed (UTC)'),
      h('dd', {}, `${formatTime(job.createdAt)} / ${formatTime(job.startedAt)} / ${formatTime(job.completedAt)}`)));
    const codes = Object.entries(job.failuresByCode ?? {});
    replace(failures, codes.length === 0
      ? h('p', { className: 'empty' }, 'No failures.')
      : table(null, [{ label: 'Code' }, { label: 'Users', numeric: true }],
        codes.map(([code, count]) => h('tr', { 'data-code': code }, cell(h('code', {}, code)), cell(formatNumber(count), true)))));
  }

  async function poll() {
    try {
      const job = await api(`/api/issuance-jobs/${jobId}`);
      processed = job.processed;
      showJob(job);
      if (FINISHED.includes(job.status)) {
        if (!finished) {
          finished = true;
          replace(status, okNotice(`The job is ${job.status.toLowerCase()}.`));
          loadResults();
        }
        return;
      }
      pollTimer = setTimeout(poll, POLL_MS);
    } catch (error) {
      replace(problem, loadErrorNotice(error, 'Bulk issuance jobs'));
    }
  }

  async function cancelJob(event) {
    event.target.disabled = true;
    try {
      showJob(await api(`/api/issuance-jobs/${jobId}/cancel`, { method: 'POST' }));
    } catch (error) {
      event.target.disabled = false;
      replace(problem, errorNotice(error, 'The job was not cancelled'));
    }
  }

  async function loadResults() {
    try {
      const page = await api(`/api/issuance-jobs/${jobId}/results${query({
        outcome: outcome.value, cursor: pager.cursor, limit: RESULTS_PAGE,
      })}`);
      // The results come from the read model, which follows the job by up to a second or so: an ended job whose
      // users have no results there yet is asked again until they arrive.
      const arriving = page.results.length === 0 && finished && processed > 0 && outcome.value === '' && !pager.cursor;
      if (arriving) {
        pollTimer = setTimeout(loadResults, POLL_MS);
      }
      replace(results, page.results.length === 0 ? h('p', { className: 'empty' }, 'No results yet.') : table(null, [
        { label: 'User', numeric: true }, { label: 'Outcome' }, { label: 'Coupon', numeric: true }, { label: 'Error code' },
      ], page.results.map(r => h('tr', {},
        cell(String(r.userId), true), cell(r.status), cell(r.couponId === null ? '—' : String(r.couponId), true),
        cell(r.errorCode ? h('code', {}, r.errorCode) : '—')))), pager.controls('Result pages', page));
    } catch (error) {
      replace(results, loadErrorNotice(error, 'Job results'));
    }
  }

  await poll();
  if (!finished) {
    loadResults();
  }
}

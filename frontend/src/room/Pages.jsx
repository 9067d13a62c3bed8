// Pages of tiles: the speaker view's filmstrip and the grid both show one page of tiles at a time,
// so a 300-person lecture keeps one page in the DOM and subscribes to its video only (a tile's
// video is subscribed while the tile is rendered). Prev/next are buttons with names; the page
// count is announced when the user turns the page (not on every join).
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { TrackLoop, useGridLayout, usePagination } from '@livekit/components-react';

const TILE_MIN_HEIGHT = 90;
const TILE_MIN_WIDTH = 110;
const TILE_MAX_WIDTH = 200;
const ASPECT = 16 / 10;
const GAP = 8;
const PAGER = 40; // the pager's height (vertical strip) or width (horizontal strip), px

function useSize(ref) {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return undefined;
    const measure = () => {
      const { width, height } = element.getBoundingClientRect();
      setSize((old) => (old.width === width && old.height === height ? old : { width, height }));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return size;
}

/** Previous / "page x of y" / next; `what` names the pages ("participants"). */
export function Pager({ pagination, what, orientation = 'horizontal', id }) {
  const { currentPage, totalPageCount } = pagination;
  const [spoken, setSpoken] = useState('');
  const turned = useRef(false);
  useEffect(() => {
    if (turned.current) setSpoken(`Page ${currentPage} of ${totalPageCount}`);
    turned.current = false;
  }, [currentPage, totalPageCount]);
  if (totalPageCount <= 1) return null;
  // aria-disabled, not disabled: the button keeps the keyboard focus on the first and last page
  const first = currentPage <= 1;
  const last = currentPage >= totalPageCount;
  const turn = (step) => {
    if (step < 0 ? first : last) return;
    turned.current = true;
    if (step < 0) pagination.prevPage();
    else pagination.nextPage();
  };
  return (
    <div id={id} className="pager" role="group" aria-label={`Pages of ${what}`} data-orientation={orientation}>
      <button
        type="button"
        className="lk-button pager-prev"
        aria-label={`Previous page of ${what}`}
        aria-disabled={first}
        onClick={() => turn(-1)}
      >
        ‹
      </button>
      <span className="pager-count" aria-hidden="true">
        {currentPage}/{totalPageCount}
      </span>
      <button
        type="button"
        className="lk-button pager-next"
        aria-label={`Next page of ${what}`}
        aria-disabled={last}
        onClick={() => turn(1)}
      >
        ›
      </button>
      <span className="visually-hidden" role="status">
        {spoken}
      </span>
    </div>
  );
}

/** How many 16:10 tiles fit along the strip, leaving room for the pager when there are several pages. */
function tilesPerPage({ width, height }, vertical, count) {
  if (!width || !height) return 1;
  const fit = (length, span) => Math.max(1, Math.floor((length + GAP) / (span + GAP)));
  // a vertical strip (desktop) stacks 16:10 tiles its width allows; a horizontal one (a phone's
  // short strip under the stage) takes narrower tiles so that more than one fits
  const span = vertical
    ? Math.max(width / ASPECT, TILE_MIN_HEIGHT)
    : Math.min(Math.max(height * 1.2, TILE_MIN_WIDTH), TILE_MAX_WIDTH);
  const length = vertical ? height : width;
  const all = fit(length, span);
  return count <= all ? all : fit(length - PAGER - GAP, span);
}

/** The speaker view's filmstrip: one page of tiles beside (desktop) or below (phone) the stage. */
export function Filmstrip({ tracks, children }) {
  const strip = useRef(null);
  const size = useSize(strip);
  const vertical = size.height >= size.width;
  const perPage = tilesPerPage(size, vertical, tracks.length);
  const pagination = usePagination(perPage, tracks);
  const orientation = vertical ? 'vertical' : 'horizontal';
  return (
    <div ref={strip} className="filmstrip" data-orientation={orientation} data-page-size={perPage}>
      <div
        className="filmstrip-tiles"
        data-lk-orientation={orientation}
        style={{ '--tiles': perPage }}
      >
        <TrackLoop tracks={pagination.tracks}>{children}</TrackLoop>
      </div>
      <Pager pagination={pagination} what="participants" orientation={vertical ? 'horizontal' : 'vertical'} id="filmstrip-pager" />
    </div>
  );
}

/** The grid view: the toolkit's grid layout choice, one page at a time, with our pager. */
export function PagedGrid({ tracks, children }) {
  const grid = useRef(null);
  const { layout } = useGridLayout(grid, tracks.length);
  const pagination = usePagination(layout.maxTiles, tracks);
  return (
    <div className="paged-grid" data-page-size={layout.maxTiles}>
      <div ref={grid} className="lk-grid-layout">
        <TrackLoop tracks={pagination.tracks}>{children}</TrackLoop>
      </div>
      <Pager pagination={pagination} what="participants" id="grid-pager" />
    </div>
  );
}

import { CdkDrag, CdkDragHandle, type CdkDragEnd, type CdkDragMove } from '@angular/cdk/drag-drop';
import { NgTemplateOutlet } from '@angular/common';
import { ChangeDetectionStrategy, Component, type ElementRef, type OnDestroy, type TemplateRef, afterNextRender, computed, input, output, signal, viewChild } from '@angular/core';
import { GRID_COLUMNS, GRID_ROW_PX, type Panel } from '@pharos/dashboard-model';
import { layoutRows, movePanel, resizePanel } from '../state/grid-layout';

const GAP_PX = 8;

/**
 * The 24-column dashboard grid. Panels are absolutely placed from their `gridPos`; in edit mode
 * a panel moves by dragging its header and resizes by its corner (Angular CDK drag, snapped to
 * grid units on release), or with the keyboard: arrows on the move handle move, on the resize
 * handle resize. Layout rules live in `grid-layout.ts`; this component only turns gestures into
 * calls and emits the new panel list.
 */
@Component({
  selector: 'ph-dashboard-grid',
  imports: [CdkDrag, CdkDragHandle, NgTemplateOutlet],
  template: `
    <div #grid class="grid" data-testid="dashboard-grid" [style.height.px]="heightPx()">
      @for (p of panels(); track p.id) {
        <section
          class="cell"
          cdkDrag
          [cdkDragDisabled]="!editing()"
          (cdkDragEnded)="onMoveEnd($event, p)"
          [style.left.px]="left(p)"
          [style.top.px]="p.gridPos.y * rowPx"
          [style.width.px]="cellWidth(p, resizeId() === p.id ? resizeCols() : p.gridPos.w)"
          [style.height.px]="(resizeId() === p.id ? resizeRows() : p.gridPos.h) * rowPx - gap"
          [attr.aria-label]="p.title || 'Untitled panel'"
          [attr.data-panel-id]="p.id"
        >
          @if (editing()) {
            <div class="edit-bar">
              <button type="button" cdkDragHandle class="handle" [attr.aria-label]="'Move ' + (p.title || 'panel') + ' (drag, or arrow keys)'" title="Drag to move; arrow keys move by one unit" (keydown)="onMoveKey($event, p)">⠿</button>
            </div>
          }
          <ng-container [ngTemplateOutlet]="cellTemplate()" [ngTemplateOutletContext]="{ $implicit: p }" />
          @if (editing()) {
            <button
              type="button"
              class="resize"
              cdkDrag
              (cdkDragMoved)="onResizeMove($event, p)"
              (cdkDragEnded)="onResizeEnd($event, p)"
              (keydown)="onResizeKey($event, p)"
              [attr.aria-label]="'Resize ' + (p.title || 'panel') + ' (drag, or arrow keys)'"
              title="Drag to resize; arrow keys resize by one unit"
            ></button>
          }
        </section>
      }
    </div>
  `,
  styles: `
    .grid { position: relative; width: 100%; }
    .cell { position: absolute; display: flex; flex-direction: column; background: var(--bg-raised); border: 1px solid var(--border); border-radius: 6px; overflow: hidden; box-sizing: border-box; }
    .cell.cdk-drag-dragging { z-index: 5; opacity: 0.85; box-shadow: 0 4px 16px rgba(0,0,0,0.25); }
    .edit-bar { position: absolute; left: 2px; top: 2px; z-index: 2; }
    .handle { cursor: grab; padding: 0 6px; font-size: 14px; line-height: 20px; background: var(--bg-raised); border: 1px solid var(--border); border-radius: 4px; }
    .resize { position: absolute; right: 0; bottom: 0; width: 16px; height: 16px; cursor: nwse-resize; z-index: 2; border: none; padding: 0;
      background: linear-gradient(135deg, transparent 50%, var(--fg-muted) 50%); opacity: 0.6; }
    .resize:focus-visible, .handle:focus-visible { outline: 2px solid var(--accent); opacity: 1; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DashboardGrid implements OnDestroy {
  readonly panels = input.required<readonly Panel[]>();
  readonly editing = input(false);
  /** Renders one panel's content; the page supplies it so the grid knows nothing of panels. */
  readonly cellTemplate = input.required<TemplateRef<{ $implicit: Panel }>>();
  readonly layoutChange = output<Panel[]>();

  protected readonly rowPx = GRID_ROW_PX;
  protected readonly gap = GAP_PX;
  protected readonly width = signal(0);
  protected readonly resizeId = signal<number | null>(null);
  protected readonly resizeCols = signal(0);
  protected readonly resizeRows = signal(0);
  protected readonly heightPx = computed(() => Math.max(1, layoutRows(this.panels())) * GRID_ROW_PX);
  private readonly grid = viewChild.required<ElementRef<HTMLElement>>('grid');
  private observer: ResizeObserver | undefined;

  constructor() {
    afterNextRender(() => {
      this.observer = new ResizeObserver((entries) => this.width.set(Math.floor(entries[0]?.contentRect.width ?? 0)));
      this.observer.observe(this.grid().nativeElement);
    });
  }

  ngOnDestroy(): void {
    this.observer?.disconnect();
  }

  private colPx(): number {
    return (this.width() + GAP_PX) / GRID_COLUMNS;
  }

  protected left(p: Panel): number {
    return p.gridPos.x * this.colPx();
  }

  protected cellWidth(_p: Panel, cols: number): number {
    return Math.max(20, cols * this.colPx() - GAP_PX);
  }

  protected onMoveEnd(e: CdkDragEnd, p: Panel): void {
    const dx = Math.round(e.distance.x / this.colPx());
    const dy = Math.round(e.distance.y / GRID_ROW_PX);
    e.source.reset();
    if (dx !== 0 || dy !== 0) this.layoutChange.emit(movePanel(this.panels(), p.id, p.gridPos.x + dx, p.gridPos.y + dy));
  }

  protected onMoveKey(e: KeyboardEvent, p: Panel): void {
    const d = ARROWS[e.key];
    if (!d) return;
    e.preventDefault();
    this.layoutChange.emit(movePanel(this.panels(), p.id, p.gridPos.x + d[0], p.gridPos.y + d[1]));
  }

  protected onResizeMove(e: CdkDragMove, p: Panel): void {
    this.resizeId.set(p.id);
    this.resizeCols.set(Math.max(1, Math.min(GRID_COLUMNS - p.gridPos.x, p.gridPos.w + Math.round(e.distance.x / this.colPx()))));
    this.resizeRows.set(Math.max(2, p.gridPos.h + Math.round(e.distance.y / GRID_ROW_PX)));
  }

  protected onResizeEnd(e: CdkDragEnd, p: Panel): void {
    e.source.reset();
    const cols = this.resizeId() === p.id ? this.resizeCols() : p.gridPos.w;
    const rows = this.resizeId() === p.id ? this.resizeRows() : p.gridPos.h;
    this.resizeId.set(null);
    if (cols !== p.gridPos.w || rows !== p.gridPos.h) this.layoutChange.emit(resizePanel(this.panels(), p.id, cols, rows));
  }

  protected onResizeKey(e: KeyboardEvent, p: Panel): void {
    const d = ARROWS[e.key];
    if (!d) return;
    e.preventDefault();
    this.layoutChange.emit(resizePanel(this.panels(), p.id, p.gridPos.w + d[0], p.gridPos.h + d[1]));
  }
}

const ARROWS: Readonly<Record<string, readonly [number, number]>> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

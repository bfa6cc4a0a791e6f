/** Sizes shared by the layouts and the drawing, in SVG pixels. */
export const NODE_HEIGHT = 58;
export const ID_FONT_PX = 13;
export const TITLE_FONT_PX = 12;
/** Room above the boxes for the band and column names. */
export const TOP = 54;
export const MARGIN = 24;

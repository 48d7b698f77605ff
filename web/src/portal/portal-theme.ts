import { createTheme, darken, lighten, type MantineColorsTuple } from '@mantine/core';

const hexColor = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/** Ten shades around the MSP's colour, the colour itself at shade 6 (Mantine's primary). */
function brandShades(color: string): MantineColorsTuple {
  return [
    lighten(color, 0.92),
    lighten(color, 0.8),
    lighten(color, 0.62),
    lighten(color, 0.45),
    lighten(color, 0.3),
    lighten(color, 0.15),
    color,
    darken(color, 0.12),
    darken(color, 0.24),
    darken(color, 0.36),
  ];
}

/**
 * The portal wears the MSP's brand colour as its primary colour. Only a hex colour is taken
 * (what the branding settings store); anything else keeps the console's blue. autoContrast
 * puts dark text on a light brand colour, so buttons stay readable whatever the MSP chose.
 */
export function portalTheme(brandColor: string | undefined) {
  if (!brandColor || !hexColor.test(brandColor)) return createTheme({ autoContrast: true });
  return createTheme({
    colors: { brand: brandShades(brandColor) },
    primaryColor: 'brand',
    primaryShade: 6,
    autoContrast: true,
  });
}

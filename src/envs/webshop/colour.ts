/**
 * WebShop's colour normalisation, applied to both sides before options are compared: the first word of
 * a fixed list, in list order, that occurs as a substring wins. The order and the substring test are
 * the behaviour (quirks included: "dark brown" -> "brown", "standard" -> "tan"), so the list is
 * upstream's 102 words in upstream's order.
 */
export const COLOUR_WORDS: readonly string[] = [
  'alabaster', 'apricot', 'aqua', 'ash', 'asphalt', 'azure', 'banana', 'beige', 'black', 'blue',
  'blush', 'bordeaux', 'bronze', 'brown', 'burgundy', 'camel', 'camo', 'caramel', 'champagne',
  'charcoal', 'cheetah', 'chestnut', 'chocolate', 'christmas', 'coffee', 'cognac', 'copper', 'coral',
  'cranberry', 'cream', 'crystal', 'dark', 'denim', 'eggplant', 'elephant', 'espresso', 'fuchsia',
  'gold', 'granite', 'grape', 'graphite', 'grass', 'gray', 'green', 'grey', 'heather', 'indigo',
  'ivory', 'ivy', 'khaki', 'lavender', 'lemon', 'leopard', 'light', 'lilac', 'lime', 'magenta',
  'maroon', 'mauve', 'merlot', 'midnight', 'mint', 'mocha', 'multicolor', 'mushroom', 'mustard',
  'natural', 'navy', 'nude', 'olive', 'orange', 'peach', 'pewter', 'pink', 'plum', 'purple',
  'rainbow', 'red', 'rose', 'royal', 'rust', 'sand', 'sapphire', 'seashell', 'silver', 'skull',
  'slate', 'steel', 'stone', 'stonewash', 'sunflower', 'tan', 'taupe', 'teal', 'tiger', 'turquoise',
  'violet', 'walnut', 'wheat', 'white', 'wine', 'yellow',
];

/**
 * A goal option: a bare value (human goals) or a `[name, value]` pair (synthetic goals, which upstream
 * keeps as a Python tuple).
 */
export type OptionValue = string | readonly [name: string, value: string];

/**
 * `normalize_color`: the first colour word contained in the value, or the value unchanged. For a pair
 * "contained" means equal to one of its two items, as Python's `in` means for a tuple.
 */
export function normalizeColour(value: OptionValue): OptionValue {
  for (const word of COLOUR_WORDS) {
    if (typeof value === 'string' ? value.includes(word) : value.includes(word)) return word;
  }
  return value;
}

// The world map used by the map and Try it screens: Natural Earth's 1:110m countries (world/countries-110m.json,
// TopoJSON from the npm package world-atlas 2.0.2; see countries.js) decoded here, drawn with d3-geo's
// equirectangular projection so that the map's latitude/longitude grid cells are rectangles.

import {svg} from './dom.js';
import {NUMERIC_TO_ALPHA2, UNNUMBERED_TO_ALPHA2, countryName} from './countries.js';
import {loadD3} from './ops.js';

export const WIDTH = 960;
export const HEIGHT = 480;

let worldPromise = null;

/** The countries as GeoJSON features with properties {code (alpha-2 or ''), name}, loaded once. */
export function loadCountries() {
  if (!worldPromise) {
    worldPromise = fetch('world/countries-110m.json', {credentials: 'same-origin'})
        .then(r => {
          if (!r.ok) {
            throw new Error('the world map (world/countries-110m.json) could not be loaded: HTTP ' + r.status);
          }
          return r.json();
        })
        .then(topology => features(topology, 'countries'))
        .catch(e => {
          worldPromise = null;
          throw e;
        });
  }
  return worldPromise;
}

/**
 * TopoJSON → GeoJSON for one object of a topology: arcs are delta-encoded integer positions, scaled by the
 * topology's transform; a ring lists arc indexes, a negative index ~i meaning arc i reversed, and consecutive
 * arcs share their end point.
 */
export function features(topology, objectName) {
  const [sx, sy] = topology.transform ? topology.transform.scale : [1, 1];
  const [tx, ty] = topology.transform ? topology.transform.translate : [0, 0];
  const arcs = topology.arcs.map(arc => {
    let x = 0;
    let y = 0;
    return arc.map(p => {
      if (topology.transform) {
        x += p[0];
        y += p[1];
        return [x * sx + tx, y * sy + ty];
      }
      return [p[0], p[1]];
    });
  });
  const ring = indexes => {
    const points = [];
    for (const i of indexes) {
      const arc = i < 0 ? arcs[~i].slice().reverse() : arcs[i];
      points.push(...(points.length ? arc.slice(1) : arc));
    }
    return points;
  };
  const geometry = g => {
    if (g.type === 'Polygon') {
      return {type: 'Polygon', coordinates: g.arcs.map(ring)};
    }
    if (g.type === 'MultiPolygon') {
      return {type: 'MultiPolygon', coordinates: g.arcs.map(p => p.map(ring))};
    }
    return null;
  };
  return topology.objects[objectName].geometries.map(g => {
    const name = (g.properties && g.properties.name) || '';
    const code = (g.id && NUMERIC_TO_ALPHA2[g.id]) || UNNUMBERED_TO_ALPHA2[name] || '';
    return {type: 'Feature', id: g.id, properties: {code, name: code ? countryName(code) : name}, geometry: geometry(g)};
  }).filter(f => f.geometry);
}

/**
 * Draws the world into a new SVG: returns {element, projection, path, layers: {under, countries, over},
 * countries: Map(code → [path elements]), pointAt(event) → {latitude, longitude}}. options.onCountry(feature, el)
 * decorates each country's path.
 */
export async function drawWorld(options = {}) {
  const [d3, countries] = await Promise.all([loadD3(), loadCountries()]);
  const projection = d3.geoEquirectangular().fitSize([WIDTH, HEIGHT], {type: 'Sphere'});
  const path = d3.geoPath(projection);
  const element = svg('svg', {class: ['world-map', options.className], viewBox: '0 0 ' + WIDTH + ' ' + HEIGHT,
    role: 'img', 'aria-label': options.label || 'World map'});
  const sphere = svg('path', {class: 'sphere', d: path({type: 'Sphere'})});
  const graticule = svg('path', {class: 'graticule', d: path(d3.geoGraticule10())});
  const under = svg('g', {class: 'under'});
  const countryLayer = svg('g', {class: 'countries'});
  const over = svg('g', {class: 'over'});
  element.append(sphere, under, graticule, countryLayer, over);
  const byCode = new Map();
  for (const f of countries) {
    const el = svg('path', {class: 'country', d: path(f), dataset: {code: f.properties.code}},
        svg('title', {}, f.properties.name + (f.properties.code ? ' (' + f.properties.code + ')' : '')));
    countryLayer.appendChild(el);
    if (f.properties.code) {
      byCode.set(f.properties.code, [...(byCode.get(f.properties.code) || []), el]);
    }
    if (options.onCountry) {
      options.onCountry(f, el);
    }
  }
  const pointAt = ev => {
    const m = element.getScreenCTM();
    if (!m) {
      return null;
    }
    const p = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(m.inverse());
    const ll = projection.invert([p.x, p.y]);
    if (!ll || Math.abs(ll[1]) > 90 || Math.abs(ll[0]) > 180) {
      return null;
    }
    return {latitude: Math.round(ll[1] * 100) / 100, longitude: Math.round(ll[0] * 100) / 100};
  };
  return {element, projection, path, layers: {under, countries: countryLayer, over}, countries: byCode, features: countries,
    pointAt};
}

/** A point marker (circle and label) at a latitude/longitude, for the over layer. */
export function marker(projection, latitude, longitude, label, className) {
  const [x, y] = projection([longitude, latitude]);
  return svg('g', {class: ['marker', className], transform: 'translate(' + x.toFixed(1) + ',' + y.toFixed(1) + ')'},
      svg('circle', {r: 5}),
      // Labels near the right edge go on the left of their point, so that they stay on the map.
      label ? svg('text', x > WIDTH - 180 ? {x: -8, y: 4, 'text-anchor': 'end'} : {x: 8, y: 4}, label) : null);
}

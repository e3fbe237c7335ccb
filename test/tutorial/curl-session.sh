# The tutorial's curl session, verbatim. The test replaces http://localhost:8080 with its server's URL.

# Add car 1
curl -X POST  -H "Content-Type: application/json" -d '{"id": 1, "model": "Honda", "color": "White" }' -i http://localhost:8080/cars/

# Add car 2
curl -X POST  -H "Content-Type: application/json" -d '{"id": 2, "model": "Ford", "color": "Black" }' -i http://localhost:8080/cars/

# Retrieve all cars
curl -X GET  -H "Content-Type: application/json" -i http://localhost:8080/cars/

# Get car 2
curl -X GET  -H "Content-Type: application/json" -i http://localhost:8080/cars/2

# Update car 2
curl -X PUT  -H "Content-Type: application/json" -d '{"id": 2, "model": "New Ford", "color": "New Black" }' -i http://localhost:8080/cars/2

# Delete car 2
curl -X DELETE http://localhost:8080/cars/2

# Retrieve all cars
curl -X GET  -H "Content-Type: application/json" -i http://localhost:8080/cars/
